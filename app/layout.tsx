// The root layout: the document and the tRPC provider for every route (the dashboard's shell is in
// app/(dashboard)/layout.tsx, so the login page has none).
import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";
import { TRPCReactProvider } from "@/trpc/react";

export const metadata: Metadata = {
  title: "Offload",
  description: "Spend Claude tokens only where reasoning is needed.",
  icons: { icon: { url: "/icon.svg", type: "image/svg+xml" } },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
