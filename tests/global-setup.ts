/** Integration tests start from a freshly rebuilt local database (`npm run db:reset`). */
import { reset } from '../scripts/db.ts'

export default function setup(): void {
  reset()
}
