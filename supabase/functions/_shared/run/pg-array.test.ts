import { describe, expect, it } from 'vitest'
import { arrayLiteral } from './pg-array.ts'

describe('arrayLiteral', () => {
  it.each([
    [[], '{}'],
    [[7, 14, 30], '{"7","14","30"}'],
    [['MN', 'WI'], '{"MN","WI"}'],
    [['a"b', 'c\\d', 'e,f', '{g}', 'NULL'], '{"a\\"b","c\\\\d","e,f","{g}","NULL"}'],
  ])('%j -> %s', (values, literal) => {
    expect(arrayLiteral(values)).toBe(literal)
  })
})
