import { createContext, useContext } from "react";

/** The CSP nonce of this response; empty in the browser after hydration (scripts already ran). */
const NonceContext = createContext<string>("");
export const NonceProvider = NonceContext.Provider;
export const useNonce = () => useContext(NonceContext);
