// Pages that hold the first part of a large message while it arrives in borrowed reads (ReusedReads
// lends each read's memory only until the splitter returns), used again across messages and
// connections. Before them, each such read was copied into a new buffer of its own: at 1 MiB a frame
// cost half again its size in ArrayBuffers, which V8 counts against its old-generation limit, and
// the mark-compacts went up in proportion (Thrift profile notes, twenty-fifth pass).
//
// A page is taken only for bytes that are there, and only by a read of at least half a page, so a
// declared length alone still never costs more than twice the bytes received.

export const PAGE_BYTES = 128 * 1024;
/** Pages kept for later when given back: 16 MiB per process at most (32 connections each half-way through a 1 MiB message); the rest go to the collector. */
const MOST_FREE_PAGES = 128;

const free: Buffer[] = [];

/** Bytes copied in, as views into pages (in order), and the pages they use, to be given back at once. */
export class PagedCopy {
  private readonly pages: Buffer[] = [];
  private page: Buffer | undefined;
  private used = 0;

  /**
   * Copies bytes into pages and appends views of them to `into`; false (nothing done) when they do
   * not fit the current page and are too few to take a new one for: the caller copies them itself.
   */
  copy(bytes: Buffer, into: Buffer[]): boolean {
    const room = this.page === undefined ? 0 : PAGE_BYTES - this.used;
    if (bytes.length > room && bytes.length < PAGE_BYTES / 2) return false;
    let at = 0;
    while (at < bytes.length) {
      if (this.page === undefined || this.used === PAGE_BYTES) {
        this.page = free.pop() ?? Buffer.allocUnsafe(PAGE_BYTES);
        this.pages.push(this.page);
        this.used = 0;
      }
      const n = bytes.copy(this.page, this.used, at);
      into.push(this.page.subarray(this.used, this.used + n));
      this.used += n;
      at += n;
    }
    return true;
  }

  /** Whether this view lies in one of the pages in use. */
  holds(view: Buffer): boolean {
    for (const page of this.pages) if (view.buffer === page.buffer) return true;
    return false;
  }

  /** The pages in use may still be seen through views someone keeps: they are left to the collector. */
  forget(): void {
    this.pages.length = 0;
    this.page = undefined;
    this.used = 0;
  }

  /** The views handed out are no longer used: the pages go back for the next message. */
  giveBack(): void {
    for (const page of this.pages) if (free.length < MOST_FREE_PAGES) free.push(page);
    this.pages.length = 0;
    this.page = undefined;
    this.used = 0;
  }
}
