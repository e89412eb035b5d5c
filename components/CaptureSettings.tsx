/**
 * Capture settings: which kinds are saved automatically (uploads off by default: the person already has
 * them), and whether each captured file is also saved into the Downloads folder. Both are WXT storage
 * items (utils/storage.ts). Turning on downloads asks for the optional `downloads` permission.
 */
import { useEffect, useState } from 'preact/hooks';
import { ARTIFACT_KINDS, type ArtifactKind } from '@/utils/model';
import { captureKinds, catchUpSettings, saveToDownloads, type CaptureKinds } from '@/utils/storage';
import { t, type MessageKey } from '@/utils/i18n';

export interface CaptureSettingsProps {
  /** Asks for the downloads permission; injected in tests. */
  requestDownloads?: () => Promise<boolean>;
}

const LABELS: Record<ArtifactKind, MessageKey> = {
  image: 'settings_capture_image',
  chart: 'settings_capture_chart',
  'sandbox-file': 'settings_capture_sandbox_file',
  upload: 'settings_capture_upload',
  audio: 'settings_capture_audio',
  video: 'settings_capture_video',
  canvas: 'settings_capture_canvas',
  research: 'settings_capture_research',
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
      setNote(t('settings_downloads_denied'));
      return;
    }
    setToDownloads(!toDownloads);
    await saveToDownloads.setValue(!toDownloads);
  };

  return (
    <fieldset class="settings" data-testid="capture-settings">
      <legend>{t('settings_capture')}</legend>
      {ARTIFACT_KINDS.map((k) => (
        <label key={k}>
          <input type="checkbox" checked={kinds[k]} onChange={() => void toggleKind(k)} /> {t(LABELS[k])}
        </label>
      ))}
      <label>
        <input type="checkbox" checked={toDownloads} onChange={() => void toggleDownloads()} /> {t('settings_save_to_downloads')}
      </label>
      {catchUp && (
        <label>
          <input
            type="checkbox"
            checked={catchUp.enabled}
            onChange={() => void catchUpSettings.setValue({ ...catchUp, enabled: !catchUp.enabled })}
          />{' '}
          {t('settings_catch_up', formatInterval(catchUp.intervalMinutes))}
        </label>
      )}
      {note && <p class="muted" role="status">{note}</p>}
    </fieldset>
  );
}

const formatInterval = (minutes: number) => (minutes >= 1 ? t('duration_minutes', Math.round(minutes)) : t('duration_seconds', Math.round(minutes * 60)));
