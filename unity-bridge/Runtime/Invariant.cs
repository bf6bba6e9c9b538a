using System;
using System.Globalization;

namespace Metabalance
{
    /// <summary>Numbers in messages and on the wire, written the same in every editor locale
    /// (a German one would otherwise write "1,5 s" and "0,72").</summary>
    public static class Invariant
    {
        public static string Number(double value, string format)
        {
            return value.ToString(format, CultureInfo.InvariantCulture);
        }

        public static string Number(double value)
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        public static string Seconds(TimeSpan span)
        {
            // Mono's TimeSpan.FromMilliseconds(350) is 0.3499969 s: milliseconds are the precision that means something.
            return Number(span.TotalSeconds, "0.###") + " s";
        }
    }
}
