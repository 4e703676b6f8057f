// Weighted lead score from the CRM record; the weights are an object variable.
// biome-ignore lint/correctness/noUnusedVariables: the Data Actions runtime calls main(context)
function main(context) {
  const weights = JSON.parse(context.variables.weights);
  const contact = context.input.contact ?? {};
  const score =
    100 *
    (weights.recency * (contact.recency ?? 0) +
      weights.value * (contact.value ?? 0) +
      weights.engagement * (contact.engagement ?? 0));
  return { score: Math.round(score), hot: score >= Number(context.variables.threshold) };
}
