import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";
import { TRPCReactProvider } from "@/components/trpc/trpc-provider";
import { AppShell } from "@/components/app-shell";

export const metadata: Metadata = {
  title: "Offload",
  description: "Spend Claude tokens only where reasoning is needed.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>
          <AppShell>{children}</AppShell>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
