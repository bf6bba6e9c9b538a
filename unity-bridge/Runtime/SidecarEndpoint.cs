using System;

namespace Metabalance
{
    /// <summary>Where the sidecar listens and the session token it expects. The client asks its
    /// endpoint provider again before every connection attempt, because a restarted sidecar
    /// writes a fresh token (and, with --port 0, may listen on another port).</summary>
    public sealed class SidecarEndpoint
    {
        public readonly Uri Rpc;
        public readonly string Token;

        public SidecarEndpoint(Uri rpc, string token)
        {
            if (rpc == null) throw new ArgumentNullException("rpc");
            Rpc = rpc;
            Token = token;
        }

        public SidecarEndpoint(string rpc, string token) : this(new Uri(rpc), token) { }
    }
}
