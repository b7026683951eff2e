using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Infrastructure.Kubernetes;

/// <summary>
/// Address ranges Cocktail never connects to as a cluster (by default link-local, where clouds serve instance
/// metadata and credentials). Checked at every connection to a cluster, after the host name is resolved, on every
/// address it resolves to: a name that resolves to a refused address, or that changes to one later (DNS rebinding),
/// is refused too. Loopback is not refused by default: a cluster on the same machine (kind, k3d) is legitimate.
/// </summary>
public sealed class ClusterAddressGuard
{
    public const string Setting = "Cocktail:Clusters:RefusedAddressRanges";
    public const string DefaultRanges = "169.254.0.0/16,fe80::/10";

    private readonly IReadOnlyList<IPNetwork> _refused;

    public ClusterAddressGuard(IReadOnlyList<IPNetwork> refused) => _refused = refused;

    /// <summary>
    /// One per process: every Kubernetes client's configuration is built by <see cref="ClusterClientFactory"/>. Set from the
    /// configuration when the services are registered.
    /// </summary>
    public static ClusterAddressGuard Current { get; private set; } = Parse(DefaultRanges);

    public IReadOnlyList<IPNetwork> Refused => _refused;

    /// <summary>A comma-separated list of CIDR ranges; empty refuses nothing.</summary>
    public static ClusterAddressGuard Parse(string ranges)
    {
        var networks = new List<IPNetwork>();
        foreach (var range in ranges.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IPNetwork.TryParse(range, out var network))
                throw new InvalidOperationException($"{Setting}: '{range}' is not an address range (CIDR, for example 169.254.0.0/16).");
            networks.Add(network);
        }
        return new ClusterAddressGuard(networks);
    }

    public IPNetwork? RangeOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var range in _refused)
            if (range.Contains(address)) return range;
        return null;
    }

    /// <summary>SocketsHttpHandler.ConnectCallback: resolve, refuse if any address is in a refused range, connect.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        foreach (var address in addresses)
            if (RangeOf(address) is { } range)
                throw new RefusedAddressException(host, address, range);

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    internal static void Configure(IConfiguration configuration) => Current = Parse(configuration[Setting] ?? DefaultRanges);
}

/// <summary>A cluster address in a range the platform admins refuse (<see cref="ClusterAddressGuard"/>).</summary>
public sealed class RefusedAddressException(string host, IPAddress address, IPNetwork range)
    : Exception($"{host} resolves to {address}, which is in the refused address range {range} ({ClusterAddressGuard.Setting}).")
{
    public string Host { get; } = host;
}

public static class ClusterAddressGuardSetup
{
    /// <summary>Reads the refused ranges now, so that a wrong setting stops the start-up with its name.</summary>
    public static IServiceCollection AddClusterAddressGuard(this IServiceCollection services, IConfiguration configuration)
    {
        ClusterAddressGuard.Configure(configuration);
        return services;
    }
}
