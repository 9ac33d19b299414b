/** The sign-in form shared by the back office and the carrier pages (browser and server). */
import { z } from "zod";

export const loginSchema = z.object({
  username: z.string({ required_error: "ユーザー名を入力してください。" }).trim().min(1, "ユーザー名を入力してください。"),
  password: z.string({ required_error: "パスワードを入力してください。" }).min(1, "パスワードを入力してください。"),
  redirectTo: z.string().optional(),
});
