/**
 * Capture settings: which kinds are saved automatically (uploads off by default: the person already has
 * them), and whether each captured file is also saved into the Downloads folder. Both are WXT storage
 * items (utils/storage.ts). Turning on downloads asks for the optional `downloads` permission.
 */
import { useEffect, useState } from 'preact/hooks';
import { ARTIFACT_KINDS, type ArtifactKind } from '@/utils/model';
import { captureKinds, catchUpSettings, saveToDownloads, type CaptureKinds } from '@/utils/storage';

export interface CaptureSettingsProps {
  /** Asks for the downloads permission; injected in tests. */
  requestDownloads?: () => Promise<boolean>;
}

const LABELS: Record<ArtifactKind, string> = {
  image: 'Generated images',
  chart: 'Charts',
  'sandbox-file': 'Code Interpreter files',
  upload: 'My uploads',
  audio: 'Voice recordings',
  video: 'Videos',
  canvas: 'Canvas documents',
  research: 'Deep research reports',
};

async function requestDownloadsPermission(): Promise<boolean> {
  try {
    return await browser.permissions.request({ permissions: ['downloads'] });
  } catch {
    // Not declared as an optional permission in this build.
    return false;
  }
}

export function CaptureSettings({ requestDownloads = requestDownloadsPermission }: CaptureSettingsProps) {
  const [kinds, setKinds] = useState<CaptureKinds | null>(null);
  const [toDownloads, setToDownloads] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [catchUp, setCatchUp] = useState<{ enabled: boolean; intervalMinutes: number } | null>(null);

  useEffect(() => {
    void captureKinds.getValue().then(setKinds);
    void saveToDownloads.getValue().then(setToDownloads);
    const offA = captureKinds.watch((v) => setKinds(v));
    const offB = saveToDownloads.watch((v) => setToDownloads(v));
    void catchUpSettings.getValue().then(setCatchUp);
    const offC = catchUpSettings.watch((v) => setCatchUp(v));
    return () => {
      offA();
      offB();
      offC();
    };
  }, []);
  if (!kinds) return null;

  const toggleKind = async (k: keyof CaptureKinds) => {
    const next = { ...kinds, [k]: !kinds[k] };
    setKinds(next);
    await captureKinds.setValue(next);
  };
  const toggleDownloads = async () => {
    setNote(null);
    if (!toDownloads && !(await requestDownloads())) {
      setNote('The browser did not grant the downloads permission, so files are kept in the vault only.');
      return;
    }
    setToDownloads(!toDownloads);
    await saveToDownloads.setValue(!toDownloads);
  };

  return (
    <fieldset class="settings" data-testid="capture-settings">
      <legend>Capture</legend>
      {ARTIFACT_KINDS.map((k) => (
        <label key={k}>
          <input type="checkbox" checked={kinds[k]} onChange={() => void toggleKind(k)} /> {LABELS[k]}
        </label>
      ))}
      <label>
        <input type="checkbox" checked={toDownloads} onChange={() => void toggleDownloads()} /> Also save files to my Downloads folder
      </label>
      {catchUp && (
        <label>
          <input
            type="checkbox"
            checked={catchUp.enabled}
            onChange={() => void catchUpSettings.setValue({ ...catchUp, enabled: !catchUp.enabled })}
          />{' '}
          Catch up on what I make on other devices: check ChatGPT every {formatInterval(catchUp.intervalMinutes)} while the browser runs
        </label>
      )}
      {note && <p class="muted" role="status">{note}</p>}
    </fieldset>
  );
}

const formatInterval = (minutes: number) => (minutes >= 1 ? `${Math.round(minutes)} min` : `${Math.round(minutes * 60)} s`);
