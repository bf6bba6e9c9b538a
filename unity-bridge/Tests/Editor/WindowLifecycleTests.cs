using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Metabalance.Editor;
using Newtonsoft.Json.Linq;
using NUnit.Framework;
using UnityEditor;
using UnityEngine;

namespace Metabalance.Tests
{
    /// <summary>The window's sidecar lifecycle with the real sidecar: start, domain reload, re-attach, stop.</summary>
    [TestFixture]
    public class WindowLifecycleTests
    {
        static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

        [Test]
        public void TheSidecarOutlivesADomainReloadAndIsStoppedByThePidAfterwards()
        {
            SessionState.EraseString(MetabalanceController.SessionListening);
            using (var project = new SidecarFixture("window"))
            {
                var settings = new MetabalanceSettings { CliPath = SidecarFixture.CliPath(), ProjectDir = project.ProjectDir };
                var before = new MetabalanceController(settings);
                MetabalanceController after = null;
                try
                {
                    TestSupport.Run(async () =>
                    {
                        before.StartSidecar();
                        await TestSupport.PumpUntil(before.MainThread, () => before.Connection == ConnectionState.Connected || before.Error != null, Wait, "the sidecar to start");
                        Assert.IsNull(before.Error);
                        Assert.IsNotNull(MetabalanceSession.EndpointProvider, "game code can find the sidecar");
                        var pid = before.Sidecar.Listening.Pid;

                        // Domain reload: the controller and the Process object are gone; SessionState, the
                        // settings (in the project's files) and the process remain.
                        before.Dispose();
                        MetabalanceSession.EndpointProvider = null;
                        after = new MetabalanceController(settings);
                        after.Restore();
                        Assert.IsTrue(after.Sidecar.IsRunning, "re-attached by pid");
                        await TestSupport.PumpUntil(after.MainThread, () => after.Levels.Count == SidecarFixture.LevelIds.Length, Wait, "levels after the reload");

                        after.StopSidecar();
                        Assert.IsFalse(after.Sidecar.IsRunning);
                        Assert.IsTrue(Exited(pid), "the sidecar process is gone");
                        Assert.AreEqual("", SessionState.GetString(MetabalanceController.SessionListening, ""));
                        Assert.IsFalse(File.Exists(Path.Combine(project.ProjectDir, ".metabalance", "token")), "it shut down cleanly");

                        var third = new MetabalanceController(settings);
                        third.Restore();
                        Assert.IsFalse(third.Sidecar.IsRunning, "nothing to re-attach to");
                        Assert.IsNull(third.Client);
                    });
                }
                finally
                {
                    before.Sidecar.Stop();
                    if (after != null) after.Sidecar.Stop();
                }
            }
        }

        [Test]
        public void WritingTheProjectWithoutASidecarStartsOneAndWritesThroughIt()
        {
            SessionState.EraseString(MetabalanceController.SessionListening);
            var asset = ScriptableObject.CreateInstance<TestBalance>();
            asset.potionRate = 0.7f;
            using (var project = new SidecarFixture("write"))
            {
                var controller = new MetabalanceController(new MetabalanceSettings { CliPath = SidecarFixture.CliPath(), ProjectDir = project.ProjectDir });
                try
                {
                    TestSupport.Run(async () =>
                    {
                        controller.WriteProject(asset);
                        await TestSupport.PumpUntil(controller.MainThread, () => controller.Status.StartsWith("project.json now has") || controller.Error != null, Wait, "project.update");
                        Assert.IsNull(controller.Error);
                        Assert.IsTrue(controller.Sidecar.IsRunning, "a sidecar was started to write it");
                        var written = JObject.Parse(File.ReadAllText(Path.Combine(project.ProjectDir, "project.json")));
                        var potionRate = written["params"].Single(p => (string)p["name"] == "potionRate");
                        Assert.AreEqual(0.7, (double)potionRate["default"], 1e-6, "the asset's current value is the new default");
                    });
                }
                finally
                {
                    controller.StopSidecar();
                    UnityEngine.Object.DestroyImmediate(asset);
                }
            }
        }

        static bool Exited(int pid)
        {
            try
            {
                return Process.GetProcessById(pid).HasExited;
            }
            catch (ArgumentException)
            {
                return true;
            }
        }
    }
}
