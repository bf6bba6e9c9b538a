using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Newtonsoft.Json.Linq;

namespace Metabalance
{
    /// <summary>
    /// A durable on-disk queue of playtests waiting for the sidecar: pending.jsonl, one record a line,
    /// each appended and flushed to disk before Record returns. Sent records are removed by rewriting
    /// the file atomically; records the sidecar rejects move to rejected.jsonl with their errors, and
    /// unreadable lines (a crash mid-write) to unreadable.txt, so nothing is silently dropped.
    /// </summary>
    public sealed class PlaytestSpool
    {
        static readonly Encoding Utf8 = new UTF8Encoding(false);
        readonly object gate = new object();
        public readonly string Directory;
        public readonly string PendingPath;
        public readonly string RejectedPath;
        public readonly string UnreadablePath;

        public PlaytestSpool(string directory)
        {
            Directory = Path.GetFullPath(directory);
            System.IO.Directory.CreateDirectory(Directory);
            PendingPath = Path.Combine(Directory, "pending.jsonl");
            RejectedPath = Path.Combine(Directory, "rejected.jsonl");
            UnreadablePath = Path.Combine(Directory, "unreadable.txt");
        }

        public void Append(PlaytestRecord record)
        {
            var line = Json.Serialize(record) + "\n";
            lock (gate) AppendDurably(PendingPath, line);
        }

        public int Count { get { lock (gate) return Load().Count; } }

        /// <summary>The oldest records, up to max.</summary>
        public List<PlaytestRecord> Peek(int max)
        {
            lock (gate)
            {
                var all = Load();
                return all.GetRange(0, Math.Min(max, all.Count));
            }
        }

        /// <summary>Removes the records with these ids (sent, or moved to rejected).</summary>
        public void Remove(ICollection<string> ids)
        {
            if (ids.Count == 0) return;
            lock (gate)
            {
                var keep = new StringBuilder();
                foreach (var record in Load())
                    if (!ids.Contains(record.Id)) keep.Append(Json.Serialize(record)).Append('\n');
                var tmp = PendingPath + ".tmp";
                WriteDurably(tmp, keep.ToString());
                if (File.Exists(PendingPath)) File.Replace(tmp, PendingPath, null);
                else File.Move(tmp, PendingPath);
            }
        }

        public void Reject(PlaytestRecord record, IList<string> errors)
        {
            var entry = new JObject { { "record", Json.ToToken(record) }, { "errors", new JArray(errors) }, { "at", DateTime.UtcNow.ToString("o") } };
            lock (gate) AppendDurably(RejectedPath, entry.ToString(Newtonsoft.Json.Formatting.None) + "\n");
        }

        List<PlaytestRecord> Load()
        {
            var records = new List<PlaytestRecord>();
            if (!File.Exists(PendingPath)) return records;
            var unreadable = new StringBuilder();
            foreach (var line in File.ReadAllLines(PendingPath, Utf8))
            {
                if (line.Trim().Length == 0) continue;
                try
                {
                    var record = Json.Deserialize<PlaytestRecord>(line);
                    if (record == null || string.IsNullOrEmpty(record.Id)) throw new FormatException("no id");
                    records.Add(record);
                }
                catch (Exception)
                {
                    unreadable.Append(line).Append('\n');
                }
            }
            if (unreadable.Length > 0)
            {
                // Keep the bytes for a human, and stop tripping over them.
                AppendDurably(UnreadablePath, unreadable.ToString());
                var good = new StringBuilder();
                foreach (var r in records) good.Append(Json.Serialize(r)).Append('\n');
                var tmp = PendingPath + ".tmp";
                WriteDurably(tmp, good.ToString());
                File.Replace(tmp, PendingPath, null);
            }
            return records;
        }

        static void AppendDurably(string path, string text)
        {
            using (var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read))
            {
                // A crash mid-append leaves a line without its newline; glued onto it, this record
                // would become unreadable too. On a line of its own the torn text is set aside alone.
                if (stream.Length > 0)
                {
                    stream.Seek(-1, SeekOrigin.End);
                    if (stream.ReadByte() != '\n') text = "\n" + text;
                }
                stream.Seek(0, SeekOrigin.End);
                var bytes = Utf8.GetBytes(text);
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(true);
            }
        }

        static void WriteDurably(string path, string text)
        {
            using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                var bytes = Utf8.GetBytes(text);
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(true);
            }
        }
    }
}
