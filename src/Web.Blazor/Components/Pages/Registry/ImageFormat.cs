namespace Cocktail.Web.Components.Pages.Registry;

public static class ImageFormat
{
    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.##} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes} B",
    };

    public static string Digest(string digest) => digest.Length > 19 ? digest[..19] : digest;
}
