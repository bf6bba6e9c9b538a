using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Metabalance
{
    public sealed class PlaytestRecorderOptions
    {
        public int BatchSize = 200;
        /// <summary>How often the background loop tries to send what is spooled; zero disables it
        /// (then call FlushAsync yourself).</summary>
        public TimeSpan FlushInterval = TimeSpan.FromSeconds(2);
        /// <summary>Stored as the playtest's "tester" unless Record is given one; null: this machine's
        /// <see cref="TesterIdentity.Current"/>, read when the recorder is made.</summary>
        public string Tester;
    }

    public sealed class FlushResult
    {
        public int Sent;
        public int Duplicates;
        public int Rejected;
        public int StillPending;
        /// <summary>Why sending stopped early (offline, timeout ...), or null.</summary>
        public Exception Error;
    }

    /// <summary>
    /// Records playtests at the end of a run and delivers them to the sidecar. Every record gets a
    /// GUID id and is written to the disk spool before Record returns; a background loop sends the
    /// spool in batches whenever the client is connected. The sidecar's append is idempotent by id,
    /// so a batch re-sent after a lost answer is stored once: none lost, none stored twice.
    /// </summary>
    public sealed class PlaytestRecorder : IDisposable
    {
        readonly MetabalanceClient client;
        readonly PlaytestRecorderOptions options;
        readonly string tester;
        readonly SemaphoreSlim flushing = new SemaphoreSlim(1, 1);
        readonly CancellationTokenSource life = new CancellationTokenSource();
        public readonly PlaytestSpool Spool;

        /// <summary>Raised for each record the sidecar refused (kept in rejected.jsonl), through the
        /// client's MainThreadQueue like its own events, so a handler may touch the Unity API (on a
        /// worker thread when the client has no queue).</summary>
        public event Action<PlaytestRecord, List<string>> Rejected;

        public PlaytestRecorder(MetabalanceClient client, string spoolDirectory, PlaytestRecorderOptions options = null)
        {
            if (client == null) throw new ArgumentNullException("client");
            this.client = client;
            this.options = options ?? new PlaytestRecorderOptions();
            tester = this.options.Tester ?? TesterIdentity.Current;
            Spool = new PlaytestSpool(spoolDirectory);
            if (this.options.FlushInterval > TimeSpan.Zero) Task.Run(() => FlushLoopAsync());
        }

        public int Pending { get { return Spool.Count; } }

        /// <summary>Spools one playtest (durably) and returns its id.</summary>
        public string Record(string levelId, IDictionary<string, object> parameters, IDictionary<string, double> metrics, string tester = null)
        {
            if (string.IsNullOrEmpty(levelId)) throw new ArgumentException("levelId is required");
            if (metrics == null || metrics.Count == 0) throw new ArgumentException("a playtest needs at least one metric");
            return Record(new PlaytestRecord
            {
                LevelId = levelId,
                Params = ParamValues.ToWire(parameters),
                Metrics = new Dictionary<string, double>(metrics),
                Tester = tester ?? this.tester,
            });
        }

        public string Record(PlaytestRecord record)
        {
            foreach (var kv in record.Metrics)
                if (double.IsNaN(kv.Value) || double.IsInfinity(kv.Value)) throw new ArgumentException("metric " + kv.Key + " is not a finite number");
            if (string.IsNullOrEmpty(record.Id)) record.Id = "pt-" + Guid.NewGuid().ToString("N");
            if (record.At == null) record.At = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            Spool.Append(record);
            return record.Id;
        }

        /// <summary>Sends everything spooled, batch by batch, if connected. Never throws for
        /// connection problems: what was not acknowledged stays spooled (see FlushResult.Error).</summary>
        public async Task<FlushResult> FlushAsync()
        {
            var result = new FlushResult();
            var acknowledged = new HashSet<string>();
            await flushing.WaitAsync().ConfigureAwait(false);
            try
            {
                while (true)
                {
                    var batch = Spool.Peek(options.BatchSize);
                    if (batch.Count == 0) break;
                    // Every round must make progress: a batch that was all acknowledged already means the
                    // spool could not shrink (disk trouble), and re-sending it would loop forever.
                    if (batch.TrueForAll(r => acknowledged.Contains(r.Id)))
                    {
                        result.Error = new IOException("the playtest spool " + Spool.PendingPath + " does not shrink; sent playtests stay in it");
                        break;
                    }
                    if (!client.IsConnected)
                    {
                        result.Error = new ConnectionLostException("not connected to the metabalance sidecar; playtests stay spooled");
                        break;
                    }
                    AppendResult answer;
                    try
                    {
                        answer = await client.PlaytestsAppendAsync(batch).ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        result.Error = MetabalanceClient.Unwrap(e);
                        break;
                    }
                    var done = new HashSet<string>(answer.Accepted);
                    done.UnionWith(answer.Duplicates);
                    result.Sent += answer.Accepted.Count;
                    result.Duplicates += answer.Duplicates.Count;
                    foreach (var r in answer.Rejected)
                    {
                        if (r.Index < 0 || r.Index >= batch.Count) continue;
                        var record = batch[r.Index];
                        Spool.Reject(record, r.Errors);
                        done.Add(record.Id);
                        result.Rejected++;
                        var handler = Rejected;
                        var errors = r.Errors;
                        if (handler != null) client.Deliver(() => handler(record, errors));
                    }
                    acknowledged.UnionWith(done);
                    Spool.Remove(done);
                    if (done.Count == 0) break; // the answer acknowledged nothing: do not spin
                }
            }
            finally
            {
                result.StillPending = Spool.Count;
                flushing.Release();
            }
            return result;
        }

        async Task FlushLoopAsync()
        {
            while (!life.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(options.FlushInterval, life.Token).ConfigureAwait(false);
                    if (client.IsConnected) await FlushAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception)
                {
                    // disk trouble: the spool is untouched and the next round retries
                }
            }
        }

        public void Dispose()
        {
            life.Cancel();
        }
    }
}
