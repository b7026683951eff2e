namespace Cocktail.KubeSim;

// Not top-level statements: Cocktail's test projects reference both this and the web app, and two global
// `Program` classes would collide.
internal static class Program
{
    private static Task<int> Main(string[] args) => StandaloneHost.RunAsync(args);
}
