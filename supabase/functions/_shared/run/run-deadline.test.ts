import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ScoringError } from '../http/errors.ts'
import { startDeadline } from './run-deadline.ts'

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('startDeadline', () => {
  it('settles as the work when it finishes first, and never expires once cleared', async () => {
    const onExpire = vi.fn()
    const deadline = startDeadline(5, onExpire)
    await expect(deadline.race(Promise.resolve('done'))).resolves.toBe('done')
    deadline.clear()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(onExpire).not.toHaveBeenCalled()
    expect(deadline.expired()).toBe(false)
  })

  it('rejects with 503 run_timeout and Retry-After at the deadline, calling onExpire once', async () => {
    const onExpire = vi.fn()
    const deadline = startDeadline(5, onExpire)
    const stuck = new Promise<never>(() => {})
    const raced = deadline.race(stuck)
    raced.catch(() => {})
    await vi.advanceTimersByTimeAsync(4_999)
    expect(onExpire).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(onExpire).toHaveBeenCalledTimes(1)
    const error = await raced.catch((error: unknown) => error)
    expect(error).toBeInstanceOf(ScoringError)
    expect(error).toMatchObject({
      code: 'run_timeout',
      status: 503,
      details: { retry_after_seconds: 10 },
    })
    expect(deadline.expired()).toBe(true)
    expect(() => deadline.check()).toThrow(/within its 5 s deadline/)
  })

  it('leaves no unhandled rejection when the abandoned work fails later', async () => {
    const unhandled = vi.fn()
    process.on('unhandledRejection', unhandled)
    try {
      const deadline = startDeadline(1, () => {})
      let fail: (error: Error) => void = () => {}
      const work = new Promise<never>((_, reject) => {
        fail = reject
      })
      // The run awaits the race at once, as executeRun does.
      const answered = deadline.race(work).catch((error: unknown) => error)
      await vi.advanceTimersByTimeAsync(1_000)
      expect(await answered).toMatchObject({ code: 'run_timeout' })
      fail(new Error('the stuck statement was cancelled'))
      vi.useRealTimers()
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(unhandled).not.toHaveBeenCalled()
    } finally {
      process.off('unhandledRejection', unhandled)
    }
  })
})
