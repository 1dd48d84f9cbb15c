/** Derives the state a person reads ("executing", "waiting" …) from BOINC's result fields. */
import type { BoincTask, TaskState } from './types.js';

// BOINC RESULT_* states and active task states (client/result.h, common_defs.h).
const RESULT_NEW = 0;
const RESULT_FILES_DOWNLOADING = 1;
const RESULT_FILES_DOWNLOADED = 2;
const RESULT_COMPUTE_ERROR = 3;
const RESULT_FILES_UPLOADING = 4;
const RESULT_ABORTED = 6;
const RESULT_UPLOAD_FAILED = 7;
const PROCESS_EXECUTING = 1;
const PROCESS_SUSPENDED = 9;

type Fields = Pick<
  BoincTask,
  'resultState' | 'readyToReport' | 'gotServerAck' | 'suspendedViaGui' | 'projectSuspendedViaGui' | 'active'
>;

export function taskState(t: Fields): TaskState {
  if (t.gotServerAck) return 'reported';
  switch (t.resultState) {
    case RESULT_NEW:
    case RESULT_FILES_DOWNLOADING:
      return 'downloading';
    case RESULT_FILES_DOWNLOADED: {
      if (t.suspendedViaGui || t.projectSuspendedViaGui) return 'suspended';
      const s = t.active?.activeTaskState;
      if (s === PROCESS_EXECUTING) return 'executing';
      if (s === PROCESS_SUSPENDED) return 'suspended';
      return 'waiting';
    }
    case RESULT_COMPUTE_ERROR:
    case RESULT_UPLOAD_FAILED:
      return 'error';
    case RESULT_FILES_UPLOADING:
      return 'uploading';
    case RESULT_ABORTED:
      return 'aborted';
    default:
      return 'ready_to_report'; // RESULT_FILES_UPLOADED
  }
}
