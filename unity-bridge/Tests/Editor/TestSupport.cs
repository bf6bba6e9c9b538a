using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;

namespace Metabalance.Tests
{
    /// <summary>Helpers that work the same under NUnit 2.6 (Mono) and Unity's NUnit 3.</summary>
    public static class TestSupport
    {
        /// <summary>Runs an async test body on the thread pool and waits: no synchronization context
        /// (Unity's would deadlock a blocked main thread), and no reliance on async test support.</summary>
        public static void Run(Func<Task> body)
        {
            Task.Run(body).GetAwaiter().GetResult();
        }

        /// <summary>Assert.ThrowsAsync, which NUnit 2.6 lacks.</summary>
        public static async Task<T> Throws<T>(Func<Task> body) where T : Exception
        {
            try
            {
                await body();
            }
            catch (Exception e)
            {
                var actual = MetabalanceClient.Unwrap(e);
                if (actual is T) return (T)actual;
                Assert.Fail("expected " + typeof(T).Name + " but got " + actual.GetType().Name + ": " + actual.Message);
            }
            Assert.Fail("expected " + typeof(T).Name + " but nothing was thrown");
            return null;
        }

        /// <summary>Pumps the queue (as the editor's update loop would) until the condition holds.</summary>
        public static async Task PumpUntil(MainThreadQueue queue, Func<bool> condition, TimeSpan timeout, string what)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                queue.Pump();
                if (condition()) return;
                if (clock.Elapsed > timeout) Assert.Fail("timed out after " + timeout.TotalSeconds + " s waiting for " + what);
                await Task.Delay(10);
            }
        }

        public static async Task Until(Func<bool> condition, TimeSpan timeout, string what)
        {
            await PumpUntil(new MainThreadQueue(), condition, timeout, what);
        }

        /// <summary>Runs the body with this culture on every thread, as in an editor set to that locale.</summary>
        public static void InCulture(string name, Action body)
        {
            var culture = CultureInfo.GetCultureInfo(name);
            var thread = Thread.CurrentThread;
            var saved = new[] { thread.CurrentCulture, thread.CurrentUICulture, CultureInfo.DefaultThreadCurrentCulture, CultureInfo.DefaultThreadCurrentUICulture };
            thread.CurrentCulture = thread.CurrentUICulture = culture;
            CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = culture;
            try
            {
                body();
            }
            finally
            {
                thread.CurrentCulture = saved[0];
                thread.CurrentUICulture = saved[1];
                CultureInfo.DefaultThreadCurrentCulture = saved[2];
                CultureInfo.DefaultThreadCurrentUICulture = saved[3];
            }
        }

        public static string TempDir(string label)
        {
            var dir = Path.Combine(Path.GetTempPath(), "metabalance-unity-" + label + "-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(dir);
            return dir;
        }

        public static void DeleteDir(string dir)
        {
            for (var attempt = 0; attempt < 5 && Directory.Exists(dir); attempt++)
            {
                try
                {
                    Directory.Delete(dir, true);
                }
                catch (IOException)
                {
                    Thread.Sleep(100);
                }
            }
        }
    }
}
