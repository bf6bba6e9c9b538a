// Test-only stand-ins for the build callbacks the bridge implements; signatures as in the Unity Scripting API (2021.3).
using UnityEngine;

namespace UnityEditor.Build
{
    public interface IOrderedCallback
    {
        int callbackOrder { get; }
    }

    public interface IUnityLinkerProcessor : IOrderedCallback
    {
        string GenerateAdditionalLinkXmlFile(Reporting.BuildReport report, UnityLinker.UnityLinkerBuildPipelineData data);
        void OnBeforeRun(Reporting.BuildReport report, UnityLinker.UnityLinkerBuildPipelineData data);
        void OnAfterRun(Reporting.BuildReport report, UnityLinker.UnityLinkerBuildPipelineData data);
    }
}

namespace UnityEditor.Build.Reporting
{
    public sealed class BuildReport : Object { }
}

namespace UnityEditor.UnityLinker
{
    public sealed class UnityLinkerBuildPipelineData { }
}
