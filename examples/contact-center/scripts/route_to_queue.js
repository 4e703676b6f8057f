// Routes hot leads to the sales queue and the rest to the general queue.
// biome-ignore lint/correctness/noUnusedVariables: the Data Actions runtime calls main(context)
function main(context) {
  const prefix = context.variables.QUEUE_PREFIX ?? "";
  return { queue: prefix + (context.input.hot ? "sales" : "general") };
}
