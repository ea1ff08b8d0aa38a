// POST /logout (the app shell's Sign out): server/auth/sign-out.ts.
export { handleSignOut as POST } from "@/server/auth/sign-out";
