using System.IO;
using System.Xml;
using Metabalance.Editor;
using NUnit.Framework;

namespace Metabalance.Tests
{
    /// <summary>What IL2CPP player builds keep of the package.</summary>
    [TestFixture]
    public class PlayerBuildTests
    {
        [Test]
        public void TheLinkerKeepsTheAssemblyWhoseTypesNewtonsoftFillsByReflection()
        {
            var path = new MetabalanceLinker().GenerateAdditionalLinkXmlFile(null, null);
            Assert.IsTrue(Path.IsPathRooted(path), path);
            var xml = new XmlDocument();
            xml.Load(path);
            var kept = xml.SelectSingleNode("/linker/assembly[@preserve='all']/@fullname");
            Assert.IsNotNull(kept, File.ReadAllText(path));
            Assert.AreEqual("Metabalance.Runtime", kept.Value);
            // The protocol types (read by Json.Deserialize) live in that assembly, so they are kept whole.
            Assert.AreEqual(kept.Value, typeof(BalanceResult).Assembly.GetName().Name);
            Assert.AreEqual(kept.Value, typeof(PlaytestRecord).Assembly.GetName().Name);
        }
    }
}
