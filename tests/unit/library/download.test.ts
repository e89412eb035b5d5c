import { describe, expect, it, vi } from 'vitest';
import { saveBlob } from '@/utils/library/download';

describe('saveBlob', () => {
  it('downloads through an <a download> with a safe name, never navigating to the blob', () => {
    const clicked: HTMLAnchorElement[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    saveBlob(new Blob(['<script>parent.x = 1</script>'], { type: 'text/html' }), 'invoice\u202Egpj.html');
    expect(click).toHaveBeenCalledTimes(1);
    const a = clicked[0]!;
    expect(a.download).toBe('invoicegpj.html');
    expect(a.href).toMatch(/^blob:/);
    expect(a.isConnected).toBe(false);
  });
});
