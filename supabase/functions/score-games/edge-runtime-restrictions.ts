/**
 * Preload for `deno run --preload`: applies Supabase Edge Runtime's WebAssembly restrictions to
 * plain Deno before any application module loads, so tests prove the function runs there.
 *
 * Edge Runtime has no `SharedArrayBuffer` and refuses shared WebAssembly memory with
 * `TypeError: Creating a shared memory is not supported`. This file is not imported by the
 * function itself; it only exists to reproduce those limits locally.
 */

Reflect.deleteProperty(globalThis, 'SharedArrayBuffer')

const NativeMemory = WebAssembly.Memory

/** `WebAssembly.Memory` that refuses `shared: true`, like Edge Runtime. */
const RestrictedMemory = function Memory(
  this: unknown,
  descriptor: WebAssembly.MemoryDescriptor,
): WebAssembly.Memory {
  if (!new.target) {
    throw new TypeError("WebAssembly.Memory must be invoked with 'new'")
  }
  if (descriptor?.shared) {
    throw new TypeError('Creating a shared memory is not supported')
  }
  return Reflect.construct(
    NativeMemory,
    [descriptor],
    new.target,
  ) as WebAssembly.Memory
}
RestrictedMemory.prototype = NativeMemory.prototype
Object.defineProperty(WebAssembly, 'Memory', {
  value: RestrictedMemory,
  writable: true,
  configurable: true,
  enumerable: false,
})

// One line on stderr so a served function's log shows it ran under these limits.
console.error(
  '[edge-runtime-restrictions] applied: no SharedArrayBuffer, shared WebAssembly memory refused',
)
