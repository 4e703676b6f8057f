/** The Data Actions API version this client speaks: every path lives under `/api/${API_VERSION}`. */
export const API_VERSION = "v2";
