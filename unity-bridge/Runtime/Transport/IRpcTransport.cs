using System;
using System.Threading.Tasks;

namespace Metabalance
{
    /// <summary>One message-oriented connection to the sidecar. The client owns the timing
    /// (connect timeout, request timeouts), so implementations may block forever.</summary>
    public interface IRpcTransport : IDisposable
    {
        /// <summary>Opens the connection, sending <c>Authorization: Bearer token</c>.</summary>
        Task ConnectAsync(Uri uri, string token);
        /// <summary>Sends one text message; callers may call it concurrently.</summary>
        Task SendAsync(string message);
        /// <summary>The next text message, or null once the peer closed the connection.
        /// Only one receive is outstanding at a time.</summary>
        Task<string> ReceiveAsync();
        /// <summary>Drops the connection at once; pending Connect/Receive calls fail.</summary>
        void Abort();
    }
}
