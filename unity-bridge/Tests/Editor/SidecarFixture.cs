using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Metabalance.Editor;
using NUnit.Framework;
using UnityEngine;

namespace Metabalance.Tests
{
    /// <summary>
    /// A real `metabalance serve` on a temporary project generated here (params from TestBalance via the
    /// bridge's own reflection, six levels, seeded bot-like playtests). The CLI comes from METABALANCE_CLI
    /// (scripts/test-unity.sh sets it) or the window's CLI setting; without one the integration tests are
    /// ignored, unless METABALANCE_REQUIRE_SIDECAR=1, which makes that a failure.
    /// </summary>
    public sealed class SidecarFixture : IDisposable
    {
        public static readonly string[] LevelIds = { "L01", "L02", "L03", "L04", "L05", "L06" };
        public readonly string ProjectDir;
        public readonly SidecarLauncher Launcher = new SidecarLauncher();
        public ListeningInfo Info;
        readonly string root;

        /// <param name="customize">changes the generated project.json before it is written (e.g. declares segments)</param>
        public SidecarFixture(string label, Action<ProjectFile> customize = null)
        {
            root = TestSupport.TempDir(label);
            ProjectDir = Path.Combine(root, "Balancing");
            WriteProject(ProjectDir, customize);
        }

        public static string CliPath()
        {
            var cli = Environment.GetEnvironmentVariable("METABALANCE_CLI");
            if (string.IsNullOrEmpty(cli)) cli = MetabalanceSettings.Load().CliPath;
            if (!string.IsNullOrEmpty(cli) && File.Exists(cli)) return cli;
            var why = "no metabalance CLI: set METABALANCE_CLI to dist/src/cli/main.js (or the CLI path in Edit > Project Settings > Metabalance)" +
                      (string.IsNullOrEmpty(cli) ? "" : "; '" + cli + "' does not exist");
            if (Environment.GetEnvironmentVariable("METABALANCE_REQUIRE_SIDECAR") == "1") Assert.Fail(why);
            Assert.Ignore(why);
            return null;
        }

        public SidecarLaunchSettings Settings(int port = 0)
        {
            return new SidecarLaunchSettings { CliPath = CliPath(), ProjectDir = ProjectDir, Port = port };
        }

        public ListeningInfo Start(int port = 0)
        {
            Info = Launcher.StartAsync(Settings(port), TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
            return Info;
        }

        public void Stop() { Launcher.Stop(); }

        public SidecarEndpoint Endpoint() { return SidecarLauncher.EndpointOf(Info); }

        public MetabalanceClient NewClient(MainThreadQueue queue = null, MetabalanceClientOptions options = null)
        {
            var info = Info;
            return new MetabalanceClient(() => SidecarLauncher.EndpointOf(info), queue, options);
        }

        public void Dispose()
        {
            Launcher.Dispose();
            TestSupport.DeleteDir(root);
        }

        /// <summary>The lines of playtests.jsonl as the sidecar stored them.</summary>
        public List<string> StoredPlaytestLines()
        {
            var lines = new List<string>();
            foreach (var line in File.ReadAllLines(Path.Combine(ProjectDir, "playtests.jsonl"))) if (line.Trim().Length > 0) lines.Add(line);
            return lines;
        }

        /// <summary>Copies the project files (not the sidecar's runtime state) to another folder.</summary>
        public string CopyProject(string label)
        {
            var dir = Path.Combine(root, label);
            Directory.CreateDirectory(dir);
            foreach (var name in new[] { "project.json", "levels.jsonl", "playtests.jsonl" }) File.Copy(Path.Combine(ProjectDir, name), Path.Combine(dir, name));
            return dir;
        }

        static void WriteProject(string dir, Action<ProjectFile> customize)
        {
            Directory.CreateDirectory(dir);
            var asset = ScriptableObject.CreateInstance<TestBalance>();
            var project = new ProjectFile
            {
                Name = "unity-bridge-fixture",
                Params = BalanceAsset.Describe(asset),
                Features = new List<FeatureDef> { new FeatureDef { Name = "area", Min = 0, Max = 3000 } },
                Metrics = new List<MetricDef> { new MetricDef { Name = "won", Kind = "rate" }, new MetricDef { Name = "durationSec", Kind = "continuous" } },
                Targets = new List<TargetDef>
                {
                    new TargetDef { Metric = "won", Target = 0.6, Tolerance = 0.1 },
                    new TargetDef { Metric = "durationSec", Target = 300, Tolerance = 60, Weight = 0.5 },
                },
            };
            if (customize != null) customize(project);
            File.WriteAllText(Path.Combine(dir, "project.json"), Json.Serialize(project));
            var rng = new System.Random(7);
            var levels = new StringBuilder();
            var playtests = new StringBuilder();
            var n = 0;
            foreach (var id in LevelIds)
            {
                var area = 500 + rng.NextDouble() * 2000;
                levels.Append(Json.Serialize(new LevelRecord { Id = id, Features = new Dictionary<string, double> { { "area", Math.Round(area) } } })).Append('\n');
                for (var i = 0; i < 10; i++)
                {
                    var health = 20 * Math.Pow(10, rng.NextDouble());
                    var potion = rng.NextDouble();
                    var rooms = rng.Next(3, 13);
                    var hard = rng.NextDouble() < 0.5;
                    var pWin = 1 / (1 + Math.Exp(-(1.5 - (health - 80) / 40 + 1.5 * potion - (area - 1500) / 1000 - (hard ? 0.8 : 0))));
                    var record = new PlaytestRecord
                    {
                        Id = "seed-" + (n++).ToString(CultureInfo.InvariantCulture),
                        LevelId = id,
                        Params = new Dictionary<string, object> { { "enemyHealth", Math.Round(health, 2) }, { "potionRate", Math.Round(potion, 3) }, { "roomCount", (long)rooms }, { "hardMode", hard } },
                        Metrics = new Dictionary<string, double>
                        {
                            { "won", rng.NextDouble() < pWin ? 1 : 0 },
                            { "durationSec", Math.Round(120 + 1.2 * health + 15 * rooms + area / 20 + 20 * (rng.NextDouble() - 0.5), 1) },
                        },
                        Tester = i % 2 == 0 ? "bot:fixture" : "bot:rookie",
                    };
                    playtests.Append(Json.Serialize(record)).Append('\n');
                }
            }
            File.WriteAllText(Path.Combine(dir, "levels.jsonl"), levels.ToString());
            File.WriteAllText(Path.Combine(dir, "playtests.jsonl"), playtests.ToString());
        }
    }
}
