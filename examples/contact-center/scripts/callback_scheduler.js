// Passes the call through; the callback time is computed by the action's date processing.
// biome-ignore lint/correctness/noUnusedVariables: the Data Actions runtime calls main(context)
function main(context) {
  return { callId: context.input.callId, endedAt: context.input.endedAt };
}
