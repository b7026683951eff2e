using System.Net;
using System.Net.Sockets;

namespace Cocktail.Domain.Provisioning;

/// <summary>An IPv4 or IPv6 network in CIDR notation; the address must be the network's first (no host bits set).</summary>
public sealed record Cidr(IPAddress Network, int PrefixLength)
{
    public static bool TryParse(string? text, out Cidr cidr, out string? problem)
    {
        cidr = null!;
        problem = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 43) { problem = "is not a CIDR block such as 10.244.0.0/16"; return false; }
        var slash = text.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(text[..slash], out var address) || !int.TryParse(text[(slash + 1)..], out var prefix))
        { problem = "is not a CIDR block such as 10.244.0.0/16"; return false; }
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix < 0 || prefix > bits) { problem = $"has a prefix length outside 0–{bits}"; return false; }
        var network = Mask(address.GetAddressBytes(), prefix);
        if (!network.SequenceEqual(address.GetAddressBytes()))
        { problem = $"has host bits set (the network is {new IPAddress(network)}/{prefix})"; return false; }
        cidr = new Cidr(address, prefix);
        return true;
    }

    /// <summary>Two networks overlap when the shorter prefix's network contains the other's first address.</summary>
    public bool Overlaps(Cidr other)
    {
        if (Network.AddressFamily != other.Network.AddressFamily) return false;
        var prefix = Math.Min(PrefixLength, other.PrefixLength);
        return Mask(Network.GetAddressBytes(), prefix).SequenceEqual(Mask(other.Network.GetAddressBytes(), prefix));
    }

    private static byte[] Mask(byte[] bytes, int prefix)
    {
        var masked = (byte[])bytes.Clone();
        for (var i = 0; i < masked.Length; i++)
        {
            var keep = Math.Clamp(prefix - i * 8, 0, 8);
            masked[i] &= (byte)(0xFF << (8 - keep));
        }
        return masked;
    }

    public override string ToString() => $"{Network}/{PrefixLength}";
}
