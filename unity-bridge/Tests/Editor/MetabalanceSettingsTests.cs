using System;
using System.Linq;
using System.Reflection;
using Metabalance.Editor;
using NUnit.Framework;
using UnityEditor;

namespace Metabalance.Tests
{
    /// <summary>Where the settings live and the one-time import of the old EditorPrefs keys. EditorPrefs
    /// are the developer's own, shared by every project: the tests use keys under a prefix of their own.</summary>
    [TestFixture]
    public class MetabalanceSettingsTests
    {
        static readonly string[] Keys = { "AssetPath", "TrainSteps", "SuggestCount", "AllowGeneration", "StayNear", "NodePath", "CliPath", "ProjectDir", "Port" };
        string prefix;

        [SetUp]
        public void SetUp()
        {
            prefix = "MetabalanceTest." + Guid.NewGuid().ToString("N") + ".";
        }

        [TearDown]
        public void TearDown()
        {
            foreach (var key in Keys) EditorPrefs.DeleteKey(prefix + key);
        }

        [Test]
        public void OldEditorPrefsAreImportedOnceAndStayForOtherProjects()
        {
            EditorPrefs.SetString(prefix + "ProjectDir", "/game/Balancing");
            EditorPrefs.SetInt(prefix + "Port", 8800);
            EditorPrefs.SetString(prefix + "AssetPath", "Assets/B.asset");
            EditorPrefs.SetFloat(prefix + "StayNear", 4.5f);
            EditorPrefs.SetBool(prefix + "AllowGeneration", true);
            var settings = new MetabalanceSettings();

            Assert.IsTrue(EditorPrefsImport.Import(settings, prefix), "imported: save the files");
            Assert.AreEqual("/game/Balancing", settings.User.ProjectDir);
            Assert.AreEqual(8800, settings.User.Port);
            Assert.AreEqual("node", settings.User.NodePath, "a key never set keeps the default");
            Assert.AreEqual("Assets/B.asset", settings.Team.AssetPath);
            Assert.AreEqual(4.5f, settings.Team.StayNear);
            Assert.IsTrue(settings.Team.AllowGeneration);
            Assert.AreEqual(500, settings.Team.TrainSteps);

            // Another project changes the shared key later: this project keeps its own value.
            EditorPrefs.SetString(prefix + "ProjectDir", "/other/Balancing");
            Assert.IsFalse(EditorPrefsImport.Import(settings, prefix));
            Assert.AreEqual("/game/Balancing", settings.ProjectDir);
            Assert.AreEqual("/other/Balancing", EditorPrefs.GetString(prefix + "ProjectDir", ""), "the keys stay for other projects");
        }

        [Test]
        public void ATeammatesCloneImportsOnlyTheirOwnPaths()
        {
            var settings = new MetabalanceSettings(new TeamSettings { ImportedEditorPrefs = true, TrainSteps = 300 }, new UserSettings());
            EditorPrefs.SetInt(prefix + "TrainSteps", 42);
            EditorPrefs.SetString(prefix + "CliPath", "/home/me/metabalance/dist/src/cli/main.js");

            Assert.IsTrue(EditorPrefsImport.Import(settings, prefix));
            Assert.AreEqual(300, settings.TrainSteps, "the team's committed settings win over this machine's old prefs");
            Assert.AreEqual("/home/me/metabalance/dist/src/cli/main.js", settings.CliPath);
        }

        [Test]
        public void TeamSettingsLiveInProjectSettingsAndPathsInUserSettings()
        {
            Assert.AreEqual(new object[] { "ProjectSettings/Metabalance.asset", FilePathAttribute.Location.ProjectFolder }, FilePath(typeof(MetabalanceTeamSettingsFile)));
            Assert.AreEqual(new object[] { "UserSettings/Metabalance.asset", FilePathAttribute.Location.ProjectFolder }, FilePath(typeof(MetabalanceUserSettingsFile)));
            CollectionAssert.IsSubsetOf(new[] { "NodePath", "CliPath", "ProjectDir", "Port" }, typeof(UserSettings).GetFields().Select(f => f.Name).ToArray());
            CollectionAssert.IsSubsetOf(new[] { "AssetPath", "TrainSteps", "SuggestCount", "AllowGeneration", "StayNear" }, typeof(TeamSettings).GetFields().Select(f => f.Name).ToArray());
        }

        [Test]
        public void TheSettingsPageIsUnderProjectSettings()
        {
            var create = typeof(MetabalanceSettingsProvider).GetMethod("Create", BindingFlags.Public | BindingFlags.Static);
            Assert.IsTrue(Attribute.IsDefined(create, typeof(SettingsProviderAttribute)), "Unity finds providers by the attribute");
            var provider = (SettingsProvider)create.Invoke(null, null);
            Assert.AreEqual("Project/Metabalance", provider.settingsPath);
            Assert.AreEqual(SettingsScope.Project, provider.scope);
        }

        /// <summary>The attribute's constructor arguments (Unity keeps the path internal).</summary>
        static object[] FilePath(Type type)
        {
            var data = CustomAttributeData.GetCustomAttributes(type).Single(a => a.AttributeType == typeof(FilePathAttribute));
            return data.ConstructorArguments.Select(a => a.ArgumentType.IsEnum ? Enum.ToObject(a.ArgumentType, a.Value) : a.Value).ToArray();
        }
    }
}
