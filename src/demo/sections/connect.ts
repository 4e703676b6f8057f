import type { DemoSection } from "../demo-env.js";

export const connectSection: DemoSection = async (env) => {
  env.section("Connect");
  const info = await env.client.auth.check();
  env.ok(`token for ${info.clientId} from ${info.tokenEndpoint}`);
  env.say(
    `scopes: ${info.scopes.join(" ")}; expires in ${info.expiresInSeconds} s (the token itself is never printed)`,
  );
};
