// NUnit 3 names (what Unity's Test Framework uses) mapped onto Debian's NUnit 2.6. Test-only.
using System;

namespace NUnit.Framework
{
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
    public class OneTimeSetUpAttribute : TestFixtureSetUpAttribute { }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
    public class OneTimeTearDownAttribute : TestFixtureTearDownAttribute { }
}
