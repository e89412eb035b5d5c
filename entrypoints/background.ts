import { startCaptureBackground } from '@/utils/capture/background';

// Wiring only: capture logic lives in utils/capture/, the vault in utils/vault/.
export default defineBackground({
  type: 'module',
  main() {
    startCaptureBackground();
  },
});
