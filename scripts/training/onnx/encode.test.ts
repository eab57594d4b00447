import { describe, expect, it } from 'vitest'
import type { TreeEnsembleModelSpec } from './encode.ts'
import {
  ProtobufWriter,
  readProtobufFields,
} from '../../../supabase/functions/_shared/onnx/protobuf.ts'
import { testModelBytes } from './test-models.ts'

describe('protobuf writer', () => {
  it.each([0, 1, 127, 128, 300, 2 ** 31, 2 ** 53 - 1])('round-trips the varint %d', (value) => {
    const bytes = new ProtobufWriter().int(3, value).finish()
    expect([...readProtobufFields(bytes)]).toEqual([
      expect.objectContaining({ field: 3, wireType: 0, numberValue: value }),
    ])
  })

  it("writes negative int64 values as ten-byte two's complement", () => {
    const bytes = new ProtobufWriter().int(1, -1).finish()
    expect(Array.from(bytes)).toEqual([8, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1])
  })

  it('packs floats as little-endian float32 and strings as UTF-8', () => {
    const bytes = new ProtobufWriter().packedFloats(7, [1.5, -2]).string(1, 'é').finish()
    const [floats, text] = [...readProtobufFields(bytes)]
    expect(Array.from(new Float32Array(floats!.bytesValue.slice().buffer))).toEqual([1.5, -2])
    expect(new TextDecoder().decode(text!.bytesValue)).toBe('é')
  })

  it('refuses a field that runs past the end of the buffer', () => {
    const bytes = new ProtobufWriter().string(2, 'hello').finish().subarray(0, 4)
    expect(() => [...readProtobufFields(bytes)]).toThrow(/runs past the end/)
  })
})

describe('encodeTreeEnsembleModel', () => {
  type Nodes = TreeEnsembleModelSpec['regressors'][number]['trees'][number]['nodes']
  const encode = (nodes: Nodes) =>
    testModelBytes([{ outputName: 'expected_return', baseValue: 0, trees: [{ nodes }] }])

  it.each(
    [
      ['a feature index beyond the input', {
        kind: 'branch',
        featureIndex: 2,
        threshold: 0,
        trueNodeId: 1,
        falseNodeId: 2,
      }, /feature 2 out of range/],
      ['a child that points back up the tree', {
        kind: 'branch',
        featureIndex: 0,
        threshold: 0,
        trueNodeId: 0,
        falseNodeId: 2,
      }, /child 0/],
      ['a child that does not exist', {
        kind: 'branch',
        featureIndex: 0,
        threshold: 0,
        trueNodeId: 1,
        falseNodeId: 9,
      }, /child 9/],
    ] as const,
  )('rejects %s', (_case, root, message) => {
    const nodes = [root, { kind: 'leaf', weight: 1 }, { kind: 'leaf', weight: 2 }] as const
    expect(() => encode([...nodes])).toThrow(message)
  })

  it('is deterministic: the same spec gives the same bytes', () => {
    const nodes = [
      { kind: 'branch', featureIndex: 1, threshold: 0.25, trueNodeId: 1, falseNodeId: 2 },
      { kind: 'leaf', weight: -1 },
      { kind: 'leaf', weight: 1 },
    ] as const
    expect(encode([...nodes])).toEqual(
      encode([...nodes]),
    )
  })
})
