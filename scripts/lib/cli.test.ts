import { describe, expect, it } from 'vitest'
import { parseCli } from './cli.ts'

const OPTIONS = {
  file: { type: 'string' },
  activate: { type: 'string' },
  json: { type: 'boolean' },
} as const

describe('parseCli', () => {
  it('reads declared string options and flags', () => {
    expect(parseCli(['--file', 'model/x.onnx', '--json'], OPTIONS)).toEqual({
      file: 'model/x.onnx',
      json: true,
    })
    expect(parseCli(['--activate=gbm-v1'], OPTIONS)).toEqual({ activate: 'gbm-v1' })
    expect(parseCli([], OPTIONS)).toEqual({})
  })

  it.each([
    [
      ['--activte', 'gbm-v1'],
      /Unknown option '--activte'.*Accepted: --file <value>, --activate <value>, --json/,
    ],
    [['--file'], /--file.*argument missing.*Accepted/],
    [['stray'], /Unexpected argument 'stray'.*Accepted/],
    [['--json=yes'], /--json.*does not take an argument.*Accepted/],
  ])('refuses %j, naming it and what is accepted', (args, message) => {
    expect(() => parseCli(args, OPTIONS)).toThrow(message)
  })
})
