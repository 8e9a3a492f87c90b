import { redirect } from "next/navigation";

// The dashboard is home; its layout sends a visitor who is not signed in to the login page.
export default function HomePage() {
  redirect("/dashboard");
}
