/**
 * The few protobuf wire-format pieces the ONNX writer and reader need: varints, length-delimited
 * fields, packed numeric arrays. ONNX files are plain protobuf, so a hand-written encoder of a
 * handful of messages is smaller and more predictable than a protobuf runtime.
 */

/** Wire type of a protobuf field. */
export const WireType = {
  varint: 0,
  fixed64: 1,
  lengthDelimited: 2,
  fixed32: 5,
} as const

/** Appends protobuf fields to a growing byte buffer. */
export class ProtobufWriter {
  #bytes = new Uint8Array(1024)
  #length = 0
  readonly #encoder = new TextEncoder()
  readonly #scratch = new DataView(new ArrayBuffer(8))

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length)
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#bytes.length) return
    let capacity = this.#bytes.length * 2
    while (capacity < this.#length + extra) capacity *= 2
    const grown = new Uint8Array(capacity)
    grown.set(this.#bytes.subarray(0, this.#length))
    this.#bytes = grown
  }

  #rawVarint(value: number): void {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`Cannot encode varint: ${value} is not a safe integer`)
    }
    this.#reserve(10)
    if (value < 0) {
      // int64 two's complement: always ten bytes on the wire.
      let big = BigInt.asUintN(64, BigInt(value))
      for (let i = 0; i < 9; i++) {
        this.#bytes[this.#length++] = Number(big & 0x7fn) | 0x80
        big >>= 7n
      }
      this.#bytes[this.#length++] = Number(big)
      return
    }
    let rest = value
    while (rest >= 0x80) {
      this.#bytes[this.#length++] = (rest % 0x80) | 0x80
      rest = Math.floor(rest / 0x80)
    }
    this.#bytes[this.#length++] = rest
  }

  #tag(field: number, wireType: number): void {
    this.#rawVarint(field * 8 + wireType)
  }

  #rawBytes(bytes: Uint8Array): void {
    this.#rawVarint(bytes.length)
    this.#reserve(bytes.length)
    this.#bytes.set(bytes, this.#length)
    this.#length += bytes.length
  }

  /** An integer field (int32, int64, enum) as a varint. */
  int(field: number, value: number): this {
    this.#tag(field, WireType.varint)
    this.#rawVarint(value)
    return this
  }

  /** A float (32-bit) field. */
  float(field: number, value: number): this {
    this.#tag(field, WireType.fixed32)
    this.#reserve(4)
    this.#scratch.setFloat32(0, value, true)
    for (let i = 0; i < 4; i++) this.#bytes[this.#length++] = this.#scratch.getUint8(i)
    return this
  }

  /** A string field, UTF-8 encoded. */
  string(field: number, value: string): this {
    return this.bytes(field, this.#encoder.encode(value))
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, WireType.lengthDelimited)
    this.#rawBytes(value)
    return this
  }

  /** An embedded message field, written by `write` into a fresh writer. */
  message(field: number, write: (message: ProtobufWriter) => void): this {
    const nested = new ProtobufWriter()
    write(nested)
    return this.bytes(field, nested.finish())
  }

  /** A repeated integer field, packed. */
  packedInts(field: number, values: ArrayLike<number>): this {
    const packed = new ProtobufWriter()
    for (let i = 0; i < values.length; i++) packed.#rawVarint(values[i] as number)
    return this.bytes(field, packed.finish())
  }

  /** A repeated float field, packed (little-endian float32 values). */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const packed = new Float32Array(values.length)
    for (let i = 0; i < values.length; i++) packed[i] = values[i] as number
    const bytes = new Uint8Array(packed.buffer)
    if (!isLittleEndian()) {
      const view = new DataView(packed.buffer)
      for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true)
    }
    return this.bytes(field, bytes)
  }
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
}

/** One decoded field: its number, wire type and value (number for varints, bytes otherwise). */
export interface ProtobufField {
  field: number
  wireType: number
  /** Varint value (only exact up to 2^53), or the fixed32/fixed64 bit pattern as a number. */
  numberValue: number
  /** Payload of a length-delimited field, or the raw bytes of a fixed-width one. */
  bytesValue: Uint8Array
}

/**
 * A read position in one protobuf message. Throws on truncated input or an unsupported (group)
 * wire type, so a corrupt file fails loudly instead of yielding garbage.
 */
export class ProtobufReader {
  offset = 0

  constructor(readonly bytes: Uint8Array) {}

  get atEnd(): boolean {
    return this.offset >= this.bytes.length
  }

  /** Reads one varint (exact up to 2^53). */
  varint(): number {
    let result = 0
    let multiplier = 1
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.bytes.length) {
        throw new RangeError('Cannot read protobuf: truncated varint')
      }
      const byte = this.bytes[this.offset++] as number
      result += (byte & 0x7f) * multiplier
      multiplier *= 0x80
      if (byte < 0x80) return result
    }
    throw new RangeError('Cannot read protobuf: varint longer than ten bytes')
  }

  /**
   * Moves past the value of a length-delimited, fixed32 or fixed64 field whose tag was just read
   * and returns where the value starts (it ends at the new `offset`).
   */
  skipValue(field: number, wireType: number): number {
    let length: number
    if (wireType === WireType.lengthDelimited) length = this.varint()
    else if (wireType === WireType.fixed32) length = 4
    else if (wireType === WireType.fixed64) length = 8
    else throw new RangeError(`Cannot read protobuf: unsupported wire type ${wireType}`)
    const start = this.offset
    if (start + length > this.bytes.length) {
      throw new RangeError(`Cannot read protobuf: field ${field} runs past the end`)
    }
    this.offset = start + length
    return start
  }
}

/** Iterates the top-level fields of one protobuf message (see {@link ProtobufReader}). */
export function* readProtobufFields(bytes: Uint8Array): Generator<ProtobufField> {
  const reader = new ProtobufReader(bytes)
  const empty = new Uint8Array(0)
  while (!reader.atEnd) {
    const tag = reader.varint()
    const field = Math.floor(tag / 8)
    const wireType = tag % 8
    if (wireType === WireType.varint) {
      yield { field, wireType, numberValue: reader.varint(), bytesValue: empty }
    } else {
      const start = reader.skipValue(field, wireType)
      yield { field, wireType, numberValue: 0, bytesValue: bytes.subarray(start, reader.offset) }
    }
  }
}
