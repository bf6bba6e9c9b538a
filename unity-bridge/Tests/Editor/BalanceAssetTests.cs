using System.Collections.Generic;
using System.Linq;
using Metabalance.Editor;
using Newtonsoft.Json.Linq;
using NUnit.Framework;
using UnityEditor;
using UnityEngine;

namespace Metabalance.Tests
{
    [TestFixture]
    public class BalanceAssetTests
    {
        TestBalance asset;

        [SetUp]
        public void SetUp()
        {
            asset = ScriptableObject.CreateInstance<TestBalance>();
        }

        [TearDown]
        public void TearDown()
        {
            Object.DestroyImmediate(asset);
        }

        [Test]
        public void RangeFieldsBoolsAndEnumsBecomeParams()
        {
            var defs = BalanceAsset.Describe(asset);
            CollectionAssert.AreEqual(new[] { "enemyHealth", "potionRate", "roomCount", "hardMode", "enemyMix", "lootMultiplier" }, defs.Select(d => d.Name).ToArray());
            var health = defs[0];
            Assert.AreEqual("float", health.Type);
            Assert.AreEqual(20.0, health.Min);
            Assert.AreEqual(200.0, health.Max);
            Assert.AreEqual(80.0, health.Default);
            Assert.AreEqual("log", health.Scale);
            Assert.AreEqual("Hit points of a standard enemy.", health.Description);
            Assert.IsNull(health.Group);
            Assert.AreEqual("int", defs[2].Type);
            Assert.AreEqual("generation", defs[2].Group);
            Assert.AreEqual("bool", defs[3].Type);
            Assert.AreEqual(false, defs[3].Default);
            Assert.AreEqual("Harder enemies", defs[3].Description);
            Assert.AreEqual("choice", defs[4].Type);
            CollectionAssert.AreEqual(new[] { "Melee", "Ranged", "Mixed" }, defs[4].Choices);
            Assert.AreEqual("Mixed", defs[4].Default);
            Assert.AreEqual(true, defs[5].Locked);
        }

        [Test]
        public void ParamJsonCarriesOnlyWhatIsSet()
        {
            var json = JArray.Parse(Json.Serialize(BalanceAsset.Describe(asset)));
            Assert.AreEqual("{\"name\":\"potionRate\",\"type\":\"float\",\"min\":0.0,\"max\":1.0,\"default\":0.30000001192092896}",
                json[1].ToString(Newtonsoft.Json.Formatting.None));
            Assert.AreEqual("{\"name\":\"hardMode\",\"type\":\"bool\",\"default\":false,\"description\":\"Harder enemies\"}",
                json[3].ToString(Newtonsoft.Json.Formatting.None));
        }

        [Test]
        public void ReadValuesGivesWireValues()
        {
            var values = BalanceAsset.ReadValues(asset);
            Assert.AreEqual(80.0, values["enemyHealth"]);
            Assert.AreEqual(6L, values["roomCount"]);
            Assert.AreEqual("Mixed", values["enemyMix"]);
            Assert.AreEqual(false, values["hardMode"]);
        }

        [Test]
        public void ApplyWritesValuesAsOneUndoableStep()
        {
            var values = new Dictionary<string, object>
            {
                { "enemyHealth", 150.5 }, { "roomCount", 9L }, { "enemyMix", "Ranged" }, { "hardMode", true },
                { "potionRate", 7.0 }, // out of [Range]: clamped
                { "somethingElse", 1.0 }, // another asset's param: ignored
            };
            var changed = BalanceAsset.Apply(new[] { asset }, values, "Apply test");
            CollectionAssert.AreEquivalent(new[] { "enemyHealth", "potionRate", "roomCount", "hardMode", "enemyMix" }, changed);
            Assert.AreEqual(150.5f, asset.enemyHealth);
            Assert.AreEqual(1f, asset.potionRate);
            Assert.AreEqual(9, asset.roomCount);
            Assert.AreEqual(TestArchetype.Ranged, asset.archetype);
            Assert.IsTrue(asset.hardMode);
            Assert.IsTrue(EditorUtility.IsDirty(asset));

            Undo.PerformUndo();
            Assert.AreEqual(80f, asset.enemyHealth);
            Assert.AreEqual(0.3f, asset.potionRate);
            Assert.AreEqual(6, asset.roomCount);
            Assert.AreEqual(TestArchetype.Mixed, asset.archetype);
            Assert.IsFalse(asset.hardMode);
        }

        [Test]
        public void ApplyToSeveralAssetsIsOneNamedUndoStep()
        {
            var other = ScriptableObject.CreateInstance<TestBalance>();
            other.enemyHealth = 150f;
            try
            {
                Undo.IncrementCurrentGroup();
                var values = new Dictionary<string, object> { { "enemyHealth", 150.0 }, { "potionRate", 0.5 } };
                var changed = BalanceAsset.Apply(new[] { asset, other }, values, "Apply L7");
                // One of the two already had 150, but they disagreed: the value is written to both.
                CollectionAssert.AreEquivalent(new[] { "enemyHealth", "potionRate" }, changed);
                Assert.AreEqual(150f, asset.enemyHealth);
                Assert.AreEqual(0.5f, asset.potionRate);
                Assert.AreEqual(0.5f, other.potionRate);
                Assert.IsTrue(EditorUtility.IsDirty(other));
                Assert.AreEqual("Apply L7", Undo.GetCurrentGroupName());

                Undo.PerformUndo();
                Assert.AreEqual(80f, asset.enemyHealth);
                Assert.AreEqual(0.3f, asset.potionRate);
                Assert.AreEqual(150f, other.enemyHealth);
                Assert.AreEqual(0.3f, other.potionRate);
            }
            finally
            {
                Object.DestroyImmediate(other);
            }
        }

        [Test]
        public void ApplyRefusesAssetsOfDifferentTypes()
        {
            var bad = ScriptableObject.CreateInstance<BadLogBalance>();
            bad.name = "Speeds";
            var e = Assert.Throws<System.ArgumentException>(() => BalanceAsset.Apply(new ScriptableObject[] { asset, bad }, new Dictionary<string, object>(), "x"));
            StringAssert.Contains("Speeds is a BadLogBalance, not a TestBalance", e.Message);
            Object.DestroyImmediate(bad);
        }

        [Test]
        public void ApplyingTheCurrentValuesChangesNothing()
        {
            Assert.AreEqual(0, BalanceAsset.Apply(new[] { asset }, BalanceAsset.ReadValues(asset), "noop").Count);
        }

        [Test]
        public void ALogScaleNeedsAPositiveMinimum()
        {
            var bad = ScriptableObject.CreateInstance<BadLogBalance>();
            var e = Assert.Throws<System.ArgumentException>(() => BalanceAsset.Describe(bad));
            StringAssert.Contains("BadLogBalance.speed", e.Message);
        }

        [Test]
        public void MergeReplacesSameNamedParamsAndKeepsTheRest()
        {
            var project = new ProjectFile
            {
                Name = "p",
                Params = new List<ParamDef>
                {
                    new ParamDef { Name = "trapDensity", Type = "float", Min = 0, Max = 1, Group = "generation" },
                    new ParamDef { Name = "enemyHealth", Type = "float", Min = 1, Max = 2 },
                },
                Metrics = new List<MetricDef> { new MetricDef { Name = "won", Kind = "rate" } },
            };
            var merged = BalanceAsset.MergeParams(project, BalanceAsset.Describe(asset));
            CollectionAssert.AreEqual(new[] { "trapDensity", "enemyHealth", "potionRate", "roomCount", "hardMode", "enemyMix", "lootMultiplier" },
                merged.Params.Select(p => p.Name).ToArray());
            Assert.AreEqual(200.0, merged.Params[1].Max);
            Assert.AreEqual("won", merged.Metrics[0].Name);
        }
    }
}
