using System;
using System.IO;

namespace Metabalance
{
    /// <summary>
    /// How game code finds the sidecar. In the editor, the Metabalance window sets EndpointProvider
    /// while its sidecar runs (and again after every domain reload); in a build, set it yourself,
    /// e.g. <c>MetabalanceSession.UseTokenFile("ws://127.0.0.1:8787/rpc", path)</c>.
    /// </summary>
    public static class MetabalanceSession
    {
        public static Func<SidecarEndpoint> EndpointProvider;

        /// <summary>An endpoint whose token is re-read from the token file on every connection attempt.</summary>
        public static Func<SidecarEndpoint> TokenFileEndpoint(string rpcUrl, string tokenFile)
        {
            return () => new SidecarEndpoint(rpcUrl, File.ReadAllText(tokenFile).Trim());
        }

        public static void UseTokenFile(string rpcUrl, string tokenFile)
        {
            EndpointProvider = TokenFileEndpoint(rpcUrl, tokenFile);
        }

        /// <summary>The endpoint now; throws when no sidecar is configured.</summary>
        public static SidecarEndpoint CurrentEndpoint()
        {
            var provider = EndpointProvider;
            if (provider == null) throw new ConnectionLostException("no metabalance sidecar configured: start it from Window > Metabalance, or call MetabalanceSession.UseTokenFile");
            return provider();
        }
    }
}
