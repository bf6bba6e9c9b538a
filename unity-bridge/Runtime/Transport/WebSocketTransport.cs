using System;
using System.IO;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Metabalance
{
    /// <summary>IRpcTransport over System.Net.WebSockets.ClientWebSocket, written for Mono's
    /// implementation (Unity's editor): never cancels a receive (that aborts the socket) and
    /// serialises sends (ClientWebSocket allows one send at a time).</summary>
    public sealed class WebSocketTransport : IRpcTransport
    {
        readonly ClientWebSocket socket = new ClientWebSocket();
        readonly SemaphoreSlim sendLock = new SemaphoreSlim(1, 1);
        readonly byte[] buffer = new byte[64 * 1024];

        /// <summary>Larger incoming messages close the connection rather than exhaust memory.</summary>
        public int MaxMessageBytes = 256 * 1024 * 1024;

        public async Task ConnectAsync(Uri uri, string token)
        {
            if (!string.IsNullOrEmpty(token)) socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
            try
            {
                await socket.ConnectAsync(uri, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Mono reports every failed upgrade as "Unable to connect"; ask over HTTP why.
                var refusal = await RefusalAsync(uri, token).ConfigureAwait(false);
                if (refusal != null) throw new WebSocketException(refusal, e);
                throw;
            }
        }

        static Task<string> RefusalAsync(Uri uri, string token)
        {
            return Task.Run(() =>
            {
                try
                {
                    var http = new UriBuilder(uri) { Scheme = uri.Scheme == "wss" ? "https" : "http" }.Uri;
                    var request = (HttpWebRequest)WebRequest.Create(http);
                    request.Timeout = 2000;
                    if (!string.IsNullOrEmpty(token)) request.Headers[HttpRequestHeader.Authorization] = "Bearer " + token;
                    using (request.GetResponse()) return (string)null;
                }
                catch (WebException e)
                {
                    var response = e.Response as HttpWebResponse;
                    if (response == null) return null;
                    var status = (int)response.StatusCode;
                    response.Close();
                    if (status == 401) return "the sidecar refused the session token (HTTP 401): it writes a fresh one to DIR/.metabalance/token each time it starts";
                    if (status == 403) return "the sidecar refused this client's Origin or Host (HTTP 403): connect to 127.0.0.1";
                    return null;
                }
                catch (Exception)
                {
                    return null;
                }
            });
        }

        public async Task SendAsync(string message)
        {
            var bytes = Encoding.UTF8.GetBytes(message);
            await sendLock.WaitAsync().ConfigureAwait(false);
            try
            {
                await socket.SendAsync(new ArraySegment<byte>(bytes), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                sendLock.Release();
            }
        }

        public async Task<string> ReceiveAsync()
        {
            using (var message = new MemoryStream())
            {
                while (true)
                {
                    var r = await socket.ReceiveAsync(new ArraySegment<byte>(buffer), CancellationToken.None).ConfigureAwait(false);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        AcknowledgeClose();
                        return null;
                    }
                    message.Write(buffer, 0, r.Count);
                    if (message.Length > MaxMessageBytes) throw new IOException("message from the sidecar exceeds " + MaxMessageBytes + " bytes");
                    if (r.EndOfMessage) return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                }
            }
        }

        void AcknowledgeClose()
        {
            try
            {
                socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None)
                    .ContinueWith(t => { var ignored = t.Exception; });
            }
            catch (Exception)
            {
                // the socket is already gone; nothing to acknowledge
            }
        }

        public void Abort()
        {
            try { socket.Abort(); } catch (Exception) { }
        }

        public void Dispose()
        {
            Abort();
            socket.Dispose();
        }
    }
}
