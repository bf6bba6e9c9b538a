using System;
using UnityEditor;
using UnityEngine;

namespace Metabalance.Editor
{
    /// <summary>
    /// Puts target edits on Unity's Undo stack. Undo records UnityEngine.Objects only, so this hidden
    /// object keeps the editor's rows as a serialized string: every edit is recorded on it first, and
    /// after an Undo or Redo the rows are read back from it. Loads and saves are not edits: they only
    /// re-sync the string, so Undo never takes back what the sidecar stored.
    /// </summary>
    public sealed class TargetsUndo : ScriptableObject
    {
        [SerializeField] string rows = "";
        TargetEditor editor;

        /// <summary>Raised after an Undo or Redo changed the editor's rows.</summary>
        public event Action Restored;

        public static TargetsUndo For(TargetEditor editor)
        {
            var undo = CreateInstance<TargetsUndo>();
            // Created by the window and destroyed by it: never saved, never unloaded under it.
            undo.hideFlags = HideFlags.HideAndDontSave;
            undo.editor = editor;
            undo.rows = editor.RowsToJson();
            Undo.undoRedoPerformed += undo.OnUndoRedo;
            return undo;
        }

        /// <summary>Applies one edit as one Undo step named for it.</summary>
        public void Edit(string name, Action<TargetEditor> change)
        {
            Undo.RecordObject(this, name);
            change(editor);
            rows = editor.RowsToJson();
        }

        /// <summary>After the rows changed other than by an edit (load, save, revert).</summary>
        public void Sync()
        {
            rows = editor.RowsToJson();
        }

        void OnUndoRedo()
        {
            if (editor == null || rows.Length == 0 || rows == editor.RowsToJson()) return;
            editor.RowsFromJson(rows);
            var handler = Restored;
            if (handler != null) handler();
        }

        public void Release()
        {
            Undo.undoRedoPerformed -= OnUndoRedo;
            DestroyImmediate(this);
        }
    }
}
