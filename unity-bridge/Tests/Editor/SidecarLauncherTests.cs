using System;
using System.IO;
using Metabalance.Editor;
using NUnit.Framework;

namespace Metabalance.Tests
{
    [TestFixture]
    public class SidecarLauncherTests
    {
        string dir;

        [SetUp]
        public void SetUp() { dir = TestSupport.TempDir("launcher"); }

        [TearDown]
        public void TearDown() { TestSupport.DeleteDir(dir); }

        [Test]
        public void ParsesTheListeningLine()
        {
            ListeningInfo info;
            Assert.IsTrue(SidecarLauncher.TryParseListening(
                "metabalance: listening {\"port\":8787,\"rpc\":\"ws://127.0.0.1:8787/rpc\",\"http\":\"http://127.0.0.1:8787/\",\"dashboard\":\"http://127.0.0.1:8787/?token=abc\",\"tokenFile\":\"/p/.metabalance/token\",\"pid\":1234}", out info));
            Assert.AreEqual(8787, info.Port);
            Assert.AreEqual("ws://127.0.0.1:8787/rpc", info.Rpc);
            Assert.AreEqual("/p/.metabalance/token", info.TokenFile);
            Assert.AreEqual(1234, info.Pid);
            Assert.IsFalse(SidecarLauncher.TryParseListening("metabalance: loading model", out info));
            Assert.IsFalse(SidecarLauncher.TryParseListening("metabalance: listening {not json", out info));
            Assert.IsFalse(SidecarLauncher.TryParseListening("metabalance: listening {\"port\":1}", out info));
        }

        [Test]
        public void RunsNodeWithTheCliOrTheMetabalanceBin()
        {
            var withCli = SidecarLauncher.BuildStartInfo(new SidecarLaunchSettings { NodePath = "/usr/bin/node", CliPath = "/opt/mb dist/main.js", ProjectDir = dir });
            Assert.AreEqual("/usr/bin/node", withCli.FileName);
            Assert.AreEqual("\"/opt/mb dist/main.js\" serve --project \"" + Path.GetFullPath(dir) + "\" --host \"127.0.0.1\" --port 0", withCli.Arguments);
            Assert.IsFalse(withCli.UseShellExecute);
            var withBin = SidecarLauncher.BuildStartInfo(new SidecarLaunchSettings { ProjectDir = dir, Port = 9000 });
            if (Path.DirectorySeparatorChar == '/') Assert.AreEqual("metabalance", withBin.FileName);
            StringAssert.EndsWith("--port 9000", withBin.Arguments);
            Assert.Throws<ArgumentException>(() => SidecarLauncher.BuildStartInfo(new SidecarLaunchSettings()));
        }

        [Test]
        public void AStartThatFailsReportsTheSidecarsOwnWords()
        {
            var script = Path.Combine(dir, "fails.js");
            File.WriteAllText(script, "console.error('metabalance: project.json:3: params[0].min: must be a number'); process.exit(2);");
            using (var launcher = new SidecarLauncher())
            {
                TestSupport.Run(async () =>
                {
                    var e = await TestSupport.Throws<MetabalanceException>(() =>
                        launcher.StartAsync(new SidecarLaunchSettings { CliPath = script, ProjectDir = dir }, TimeSpan.FromSeconds(20)));
                    StringAssert.Contains("code 2", e.Message);
                    StringAssert.Contains("params[0].min: must be a number", e.Message);
                });
            }
        }

        [Test]
        public void StartsReadsTheTokenAndStops()
        {
            var script = Path.Combine(dir, "listens.js");
            var tokenFile = Path.Combine(dir, "token").Replace("\\", "/");
            File.WriteAllText(script,
                "require('fs').writeFileSync('" + tokenFile + "', 'secret-token\\n');" +
                "console.log('metabalance: listening ' + JSON.stringify({port: 1, rpc: 'ws://127.0.0.1:1/rpc', http: 'http://127.0.0.1:1/', dashboard: '', tokenFile: '" + tokenFile + "', pid: process.pid}));" +
                "setInterval(() => {}, 1000);");
            using (var launcher = new SidecarLauncher())
            {
                TestSupport.Run(async () =>
                {
                    var info = await launcher.StartAsync(new SidecarLaunchSettings { CliPath = script, ProjectDir = dir }, TimeSpan.FromSeconds(20));
                    Assert.IsTrue(launcher.IsRunning);
                    Assert.AreEqual("secret-token", SidecarLauncher.EndpointOf(info).Token);
                    StringAssert.StartsWith("metabalance: listening", launcher.LogTail()[0]);
                    launcher.Stop();
                    Assert.IsFalse(launcher.IsRunning);
                    var other = new SidecarLauncher();
                    Assert.IsFalse(other.Attach(info), "a stopped sidecar cannot be re-attached");
                });
            }
        }

        [Test]
        public void BatchOptionsComeFromTheCommandLine()
        {
            var o = BatchOptions.FromArgs(new[] { "Unity", "-batchmode", "-metabalanceProject", "/p", "-metabalanceLevel", "L1", "-metabalanceLevel", "L2",
                "-metabalanceTrain", "40", "-metabalanceOut", "/tmp/r.jsonl", "-metabalanceAllowGeneration" }, new MetabalanceSettings { CliPath = "/x/main.js" });
            Assert.AreEqual("/p", o.Sidecar.ProjectDir);
            CollectionAssert.AreEqual(new[] { "L1", "L2" }, o.Levels);
            Assert.AreEqual(40, o.TrainSteps);
            Assert.AreEqual("/tmp/r.jsonl", o.OutputPath);
            Assert.IsTrue(o.AllowGeneration);
            Assert.AreEqual("/x/main.js", o.Sidecar.CliPath);
            StringAssert.Contains("-metabalanceProject", Assert.Throws<ArgumentException>(() => BatchOptions.FromArgs(new string[0], new MetabalanceSettings())).Message);
            StringAssert.Contains("whole number", Assert.Throws<ArgumentException>(() => BatchOptions.FromArgs(new[] { "-metabalanceProject", "/p", "-metabalanceTrain", "many" }, new MetabalanceSettings())).Message);
        }
    }
}
