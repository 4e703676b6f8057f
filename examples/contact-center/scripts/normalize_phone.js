// Normalises a phone number to E.164 using the default country of the action's variables.
// biome-ignore lint/correctness/noUnusedVariables: the Data Actions runtime calls main(context)
function main(context) {
  const raw = String(context.input.phone ?? "");
  const digits = raw.replace(/[^0-9+]/g, "");
  if (digits.startsWith("+")) return { phone: digits };
  const prefix = context.variables.defaultCountry === "US" ? "+1" : "+";
  return { phone: prefix + digits.replace(/^1(?=\d{10}$)/, "") };
}
