using System.Net;
using System.Net.Sockets;

namespace Cocktail.KubeSim.Hosting;

/// <summary>
/// A "refusing" apiserver keeps its address, as a stopped apiserver behind a load balancer does: the port is bound
/// but not listening, so connections are refused (RST) and the kernel never hands the port to another bind to
/// port 0 in the same process. Without it, clusters starting alongside could take the port and the cluster could
/// not come back on the endpoint it advertised.
/// </summary>
internal sealed class PortReservation : IDisposable
{
    readonly Socket _socket;

    PortReservation(Socket socket) => _socket = socket;

    /// <summary>Binds <paramref name="port"/>, or returns null if something else holds it already (then nothing is reserved).</summary>
    public static PortReservation? TryBind(int port)
    {
        if (port == 0) return null;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return new PortReservation(socket);
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    public void Dispose() => _socket.Dispose();
}
