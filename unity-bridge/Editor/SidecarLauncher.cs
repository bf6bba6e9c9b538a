using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Newtonsoft.Json;

namespace Metabalance.Editor
{
    /// <summary>What `metabalance serve` prints once it listens (README "The sidecar: `metabalance serve`").</summary>
    public sealed class ListeningInfo
    {
        [JsonProperty("port")] public int Port;
        [JsonProperty("rpc")] public string Rpc;
        [JsonProperty("http")] public string Http;
        [JsonProperty("dashboard")] public string Dashboard;
        [JsonProperty("tokenFile")] public string TokenFile;
        [JsonProperty("pid")] public int Pid;
    }

    public sealed class SidecarLaunchSettings
    {
        /// <summary>The node executable ("node" finds it on PATH).</summary>
        public string NodePath = "node";
        /// <summary>dist/src/cli/main.js of a metabalance checkout; empty runs the `metabalance` bin from PATH.</summary>
        public string CliPath = "";
        public string ProjectDir = "";
        /// <summary>0 lets the OS choose a free port.</summary>
        public int Port;
        public string Host = "127.0.0.1";
    }

    /// <summary>Starts, watches and stops a `metabalance serve` child process, keeping the tail of its log.</summary>
    public sealed class SidecarLauncher : IDisposable
    {
        public const string ListeningPrefix = "metabalance: listening ";
        const int LogLines = 400;

        readonly object gate = new object();
        readonly LinkedList<string> log = new LinkedList<string>();
        Process process;
        ListeningInfo listening;

        /// <summary>Raised on a worker thread for every line the sidecar prints.</summary>
        public event Action<string> LineLogged;

        public ListeningInfo Listening { get { lock (gate) return listening; } }

        public bool IsRunning
        {
            get
            {
                var info = Listening;
                return info != null && IsAlive(info.Pid);
            }
        }

        public string[] LogTail()
        {
            lock (gate)
            {
                var lines = new string[log.Count];
                log.CopyTo(lines, 0);
                return lines;
            }
        }

        public static ProcessStartInfo BuildStartInfo(SidecarLaunchSettings settings)
        {
            if (string.IsNullOrEmpty(settings.ProjectDir)) throw new ArgumentException("choose the balancing project folder first (Edit > Project Settings > Metabalance)");
            var serve = "serve --project " + Quote(Path.GetFullPath(settings.ProjectDir)) + " --host " + Quote(settings.Host) +
                        " --port " + settings.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var start = new ProcessStartInfo
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                CreateNoWindow = true,
                WorkingDirectory = Path.GetFullPath(settings.ProjectDir),
            };
            if (!string.IsNullOrEmpty(settings.CliPath))
            {
                start.FileName = settings.NodePath;
                start.Arguments = Quote(Path.GetFullPath(settings.CliPath)) + " " + serve;
            }
            else if (Path.DirectorySeparatorChar == '\\')
            {
                // npm installs bins as .cmd shims on Windows, which only a shell can run.
                start.FileName = "cmd.exe";
                start.Arguments = "/c metabalance " + serve;
            }
            else
            {
                start.FileName = "metabalance";
                start.Arguments = serve;
            }
            return start;
        }

        static string Quote(string arg)
        {
            return "\"" + arg.Replace("\\\"", "\\\\\"").Replace("\"", "\\\"") + "\"";
        }

        public static bool TryParseListening(string line, out ListeningInfo info)
        {
            info = null;
            if (line == null || !line.StartsWith(ListeningPrefix, StringComparison.Ordinal)) return false;
            try
            {
                info = Json.Deserialize<ListeningInfo>(line.Substring(ListeningPrefix.Length));
            }
            catch (JsonException)
            {
                return false;
            }
            return info != null && !string.IsNullOrEmpty(info.Rpc) && !string.IsNullOrEmpty(info.TokenFile);
        }

        public static string ReadToken(string tokenFile)
        {
            if (!File.Exists(tokenFile)) throw new ConnectionLostException("the sidecar's token file " + tokenFile + " does not exist: is the sidecar running?");
            return File.ReadAllText(tokenFile).Trim();
        }

        /// <summary>The sidecar's endpoint with the token read now (a restarted sidecar has a new one).</summary>
        public static SidecarEndpoint EndpointOf(ListeningInfo info)
        {
            return new SidecarEndpoint(info.Rpc, ReadToken(info.TokenFile));
        }

        /// <summary>Starts the sidecar and completes with its listening line, or fails with the end of its log.</summary>
        public Task<ListeningInfo> StartAsync(SidecarLaunchSettings settings, TimeSpan timeout)
        {
            if (IsRunning) throw new InvalidOperationException("the sidecar is already running (pid " + Listening.Pid + ")");
            var ready = new TaskCompletionSource<ListeningInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
            var child = new Process { StartInfo = BuildStartInfo(settings), EnableRaisingEvents = true };
            child.OutputDataReceived += (sender, e) =>
            {
                if (e.Data == null) return;
                Append(e.Data);
                ListeningInfo info;
                if (TryParseListening(e.Data, out info))
                {
                    lock (gate) listening = info;
                    ready.TrySetResult(info);
                }
            };
            child.ErrorDataReceived += (sender, e) => { if (e.Data != null) Append(e.Data); };
            child.Exited += (sender, e) =>
            {
                // Let the output readers drain so the failure message carries the sidecar's own words.
                Task.Delay(200).ContinueWith(t => ready.TrySetException(new MetabalanceException(
                    "the sidecar exited (code " + SafeExitCode(child) + ") before listening:\n" + string.Join("\n", LastLines(15)))));
            };
            try
            {
                child.Start();
            }
            catch (Exception e)
            {
                throw new MetabalanceException("could not start '" + child.StartInfo.FileName + " " + child.StartInfo.Arguments + "': " + e.Message +
                                               " (set the Node and CLI paths in Edit > Project Settings > Metabalance)", e);
            }
            lock (gate) process = child;
            child.BeginOutputReadLine();
            child.BeginErrorReadLine();
            Task.Delay(timeout).ContinueWith(t =>
            {
                if (ready.TrySetException(new MetabalanceException("the sidecar did not report listening within " + Invariant.Seconds(timeout) + ":\n" + string.Join("\n", LastLines(15)))))
                    Stop();
            });
            return ready.Task;
        }

        /// <summary>Adopts a sidecar started before a domain reload (the Process object did not survive).</summary>
        public bool Attach(ListeningInfo info)
        {
            if (info == null || !IsAlive(info.Pid)) return false;
            lock (gate)
            {
                listening = info;
                process = null;
            }
            Append("(re-attached to the sidecar, pid " + info.Pid + ")");
            return true;
        }

        /// <summary>Stops the sidecar: a polite SIGTERM first (it releases its store lock), then a kill.</summary>
        public void Stop()
        {
            Process child;
            ListeningInfo info;
            lock (gate)
            {
                child = process;
                info = listening;
                process = null;
                listening = null;
            }
            var pid = child != null ? SafePid(child) : (info != null ? info.Pid : 0);
            if (pid <= 0) return;
            try
            {
                var target = child ?? Process.GetProcessById(pid);
                if (target.HasExited) return;
                if (Path.DirectorySeparatorChar == '/')
                {
                    using (var term = Process.Start(new ProcessStartInfo("kill", "-TERM " + pid) { UseShellExecute = false, CreateNoWindow = true }))
                        term.WaitForExit(2000);
                    if (target.WaitForExit(5000)) return;
                }
                target.Kill();
                target.WaitForExit(5000);
            }
            catch (Exception e)
            {
                Append("(stopping the sidecar: " + e.Message + ")");
            }
        }

        public void Dispose()
        {
            Stop();
        }

        void Append(string line)
        {
            lock (gate)
            {
                log.AddLast(line);
                while (log.Count > LogLines) log.RemoveFirst();
            }
            var handler = LineLogged;
            if (handler != null) handler(line);
        }

        List<string> LastLines(int n)
        {
            var all = LogTail();
            return new List<string>(all).GetRange(Math.Max(0, all.Length - n), Math.Min(n, all.Length));
        }

        static bool IsAlive(int pid)
        {
            if (pid <= 0) return false;
            try
            {
                return !Process.GetProcessById(pid).HasExited;
            }
            catch (Exception)
            {
                return false;
            }
        }

        static int SafePid(Process p) { try { return p.Id; } catch (Exception) { return 0; } }
        static string SafeExitCode(Process p) { try { return p.ExitCode.ToString(); } catch (Exception) { return "?"; } }
    }
}
