using System.IO;
using UnityEditor.Build;
using UnityEditor.Build.Reporting;
using UnityEditor.UnityLinker;

namespace Metabalance.Editor
{
    /// <summary>
    /// Keeps the Runtime assembly whole in IL2CPP player builds: Newtonsoft creates the protocol types
    /// and sets their members by reflection, which the managed code stripper cannot see. Unity reads
    /// link.xml files from Assets/ only, not from packages, so the package hands its own to the linker.
    /// </summary>
    public sealed class MetabalanceLinker : IUnityLinkerProcessor
    {
        /// <summary>Where the generated file goes (Temp/ is the project's scratch folder, deleted when Unity quits).</summary>
        public const string LinkXmlPath = "Temp/Metabalance/link.xml";

        public int callbackOrder { get { return 0; } }

        public static string LinkXml()
        {
            return "<linker>\n  <assembly fullname=\"" + typeof(MetabalanceClient).Assembly.GetName().Name + "\" preserve=\"all\"/>\n</linker>\n";
        }

        public string GenerateAdditionalLinkXmlFile(BuildReport report, UnityLinkerBuildPipelineData data)
        {
            var path = Path.GetFullPath(LinkXmlPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path));
            File.WriteAllText(path, LinkXml());
            return path;
        }

        // Required by the interface in 2021.3; nothing to do around the linker run.
        public void OnBeforeRun(BuildReport report, UnityLinkerBuildPipelineData data) { }
        public void OnAfterRun(BuildReport report, UnityLinkerBuildPipelineData data) { }
    }
}
