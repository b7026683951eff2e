return await Cocktail.KubeSim.StandaloneHost.RunAsync(args);
