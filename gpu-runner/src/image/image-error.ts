/** An input image that cannot be used: unsupported format, corrupt data, too many pixels. */
export class ImageError extends Error {
  override readonly name = 'ImageError'
}
