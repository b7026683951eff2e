using System.Net;
using System.Net.Sockets;

namespace Cocktail.KubeSim.Hosting;

/// <summary>
/// A "hung" apiserver: the port accepts TCP connections and then says nothing, not even a TLS handshake, so
/// clients run into their own timeouts instead of a quick connection refused.
/// </summary>
internal sealed class SilentListener : IAsyncDisposable
{
    readonly TcpListener _listener;
    readonly List<Socket> _held = [];
    readonly CancellationTokenSource _stop = new();
    readonly Task _acceptLoop;

    public SilentListener(int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _acceptLoop = AcceptForever();
    }

    async Task AcceptForever()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_held) _held.Add(socket);
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _acceptLoop; } catch (Exception) { /* already stopping */ }
        lock (_held)
        {
            foreach (var s in _held) s.Dispose();
            _held.Clear();
        }
        _stop.Dispose();
    }
}
