Console.WriteLine("kubesim");
