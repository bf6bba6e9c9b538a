using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using UnityEditor;

namespace Metabalance.Editor
{
    public sealed class BatchOptions
    {
        public SidecarLaunchSettings Sidecar = new SidecarLaunchSettings();
        /// <summary>Levels to balance; all levels when empty.</summary>
        public List<string> Levels = new List<string>();
        /// <summary>Where the results go, one JSON object a line (as `metabalance balance --json`); the log when null.</summary>
        public string OutputPath;
        /// <summary>Train this many steps first; 0 trains only when there is no model yet (with the sidecar's default).</summary>
        public int TrainSteps;
        public bool AllowGeneration;
        public TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
        public TimeSpan TrainTimeout = TimeSpan.FromMinutes(30);

        /// <summary>Reads -metabalanceProject DIR, -metabalanceNode PATH, -metabalanceCli PATH,
        /// -metabalanceLevel ID (repeatable), -metabalanceOut FILE, -metabalanceTrain STEPS,
        /// -metabalanceAllowGeneration; unset paths come from the project's settings.</summary>
        public static BatchOptions FromArgs(string[] args, MetabalanceSettings defaults)
        {
            var o = new BatchOptions();
            o.Sidecar.ProjectDir = defaults.ProjectDir;
            o.Sidecar.NodePath = defaults.NodePath;
            o.Sidecar.CliPath = defaults.CliPath;
            for (var i = 0; i < args.Length; i++)
            {
                var a = args[i];
                if (a == "-metabalanceAllowGeneration") { o.AllowGeneration = true; continue; }
                if (!a.StartsWith("-metabalance", StringComparison.Ordinal)) continue;
                if (i + 1 >= args.Length) throw new ArgumentException(a + " needs a value");
                var v = args[++i];
                switch (a)
                {
                    case "-metabalanceProject": o.Sidecar.ProjectDir = v; break;
                    case "-metabalanceNode": o.Sidecar.NodePath = v; break;
                    case "-metabalanceCli": o.Sidecar.CliPath = v; break;
                    case "-metabalanceLevel": o.Levels.Add(v); break;
                    case "-metabalanceOut": o.OutputPath = v; break;
                    case "-metabalanceTrain":
                        int steps;
                        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out steps) || steps < 0)
                            throw new ArgumentException("-metabalanceTrain needs a whole number of steps, not '" + v + "'");
                        o.TrainSteps = steps;
                        break;
                    default: throw new ArgumentException("unknown option " + a);
                }
            }
            if (string.IsNullOrEmpty(o.Sidecar.ProjectDir)) throw new ArgumentException("-metabalanceProject DIR is required (or set the project folder in Edit > Project Settings > Metabalance)");
            return o;
        }
    }

    /// <summary>Headless balancing: starts a sidecar, (trains,) balances levels, writes the results.</summary>
    public static class BatchRunner
    {
        /// <summary>0 when every level was balanced, 1 otherwise, 2 for bad options.</summary>
        public static async Task<int> RunAsync(BatchOptions options, TextWriter log)
        {
            using (var sidecar = new SidecarLauncher())
            {
                ListeningInfo info;
                try
                {
                    info = await sidecar.StartAsync(options.Sidecar, options.StartTimeout).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    log.WriteLine("metabalance: " + MetabalanceClient.Unwrap(e).Message);
                    return 1;
                }
                using (var client = new MetabalanceClient(() => SidecarLauncher.EndpointOf(info)))
                {
                    try
                    {
                        await client.ConnectAsync().ConfigureAwait(false);
                        if (!await TrainIfNeededAsync(client, options, log).ConfigureAwait(false)) return 1;
                        var levels = options.Levels;
                        if (levels.Count == 0)
                        {
                            foreach (var l in (await client.LevelsListAsync().ConfigureAwait(false)).Levels) levels.Add(l.Id);
                        }
                        return await BalanceAsync(client, options, levels, log).ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        log.WriteLine("metabalance: " + MetabalanceClient.Unwrap(e).Message);
                        return 1;
                    }
                }
            }
        }

        static async Task<bool> TrainIfNeededAsync(MetabalanceClient client, BatchOptions options, TextWriter log)
        {
            if (options.TrainSteps == 0)
            {
                try
                {
                    await client.ModelInfoAsync().ConfigureAwait(false);
                    return true;
                }
                catch (RpcException e)
                {
                    if (e.Code != RpcErrorCodes.NoModel) throw;
                }
            }
            var job = await client.ModelTrainAsync(new ModelTrainParams { Steps = options.TrainSteps > 0 ? (int?)options.TrainSteps : null }).ConfigureAwait(false);
            log.WriteLine("metabalance: training (" + job.JobId + ")");
            var deadline = DateTime.UtcNow + options.TrainTimeout;
            while (DateTime.UtcNow < deadline)
            {
                var status = await client.JobStatusAsync(job.JobId).ConfigureAwait(false);
                if (status.State == JobStates.Succeeded) return true;
                if (status.State != JobStates.Running)
                {
                    log.WriteLine("metabalance: training " + status.State + (status.Error != null ? ": " + status.Error.Message : ""));
                    return false;
                }
                await Task.Delay(500).ConfigureAwait(false);
            }
            log.WriteLine("metabalance: training did not finish within " + Invariant.Number(options.TrainTimeout.TotalMinutes) + " min");
            await client.JobCancelAsync(job.JobId).ConfigureAwait(false);
            return false;
        }

        static async Task<int> BalanceAsync(MetabalanceClient client, BatchOptions options, List<string> levels, TextWriter log)
        {
            var failed = 0;
            var lines = new List<string>();
            foreach (var level in levels)
            {
                try
                {
                    var r = await client.LevelBalanceAsync(new LevelBalanceParams { LevelId = level, AllowGeneration = options.AllowGeneration ? (bool?)true : null }).ConfigureAwait(false);
                    lines.Add(Json.Serialize(r));
                    log.WriteLine("metabalance: " + level + (r.MeetsTargets ? " meets the targets" : " does not meet the targets") + " (pMeet " + Invariant.Number(r.PMeet, "0.00") + ")");
                }
                catch (MetabalanceException e)
                {
                    failed++;
                    log.WriteLine("metabalance: " + level + ": " + e.Message);
                }
            }
            if (options.OutputPath != null) File.WriteAllText(options.OutputPath, lines.Count > 0 ? string.Join("\n", lines.ToArray()) + "\n" : "");
            else foreach (var line in lines) log.WriteLine(line);
            return failed == 0 && levels.Count > 0 ? 0 : 1;
        }
    }

    /// <summary>Entry point for <c>Unity -batchmode -executeMethod Metabalance.Editor.Batch.BalanceAll -metabalanceProject DIR</c>.</summary>
    public static class Batch
    {
        public static void BalanceAll()
        {
            int code;
            try
            {
                var options = BatchOptions.FromArgs(Environment.GetCommandLineArgs(), MetabalanceSettings.Load());
                // The runner never needs the main thread, so blocking here cannot deadlock.
                code = Task.Run(() => BatchRunner.RunAsync(options, Console.Out)).GetAwaiter().GetResult();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("metabalance: " + e.Message);
                code = 2;
            }
            EditorApplication.Exit(code);
        }
    }
}
