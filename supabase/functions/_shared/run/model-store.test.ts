import { describe, expect, it } from 'vitest'
import { localModelPath } from './model-store.ts'

describe('localModelPath (local_file models stay inside the local model root)', () => {
  it.each([
    ['model/gbm-v1.onnx', 'model/gbm-v1.onnx'],
    ['tests/fixtures/tiny-model.onnx', 'tests/fixtures/tiny-model.onnx'],
    ['.local/test-models/x.onnx', '.local/test-models/x.onnx'],
    ['../../../../etc/passwd', null],
    ['../model/gbm-v1.onnx', null],
    ['model/../../outside.onnx', null],
    ['/etc/model.onnx', null],
    ['model//gbm-v1.onnx', null],
    ['./model/gbm-v1.onnx', null],
    ['model\\..\\..\\x.onnx', null],
    ['model/gbm-v1.onnx\u0000.txt', null],
    ['.env.local', null],
    ['model/gbm-v1.json', null],
  ])('%j -> %j', (path, expected) => {
    expect(localModelPath(path)).toBe(expected)
  })
})
